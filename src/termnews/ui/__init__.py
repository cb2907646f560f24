"""The Textual user interface: the only package of termnews that imports Textual.

``app.TermnewsApp`` is a thin App that pushes ``screens.main.MainScreen``; the
screen owns the reading state and asks the engine (``Library``) for data in
workers, handing widgets plain dataclasses.
"""
