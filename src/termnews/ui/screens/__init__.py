"""Screens of the TUI: the main reading screen and the modal dialogs pushed over it."""
