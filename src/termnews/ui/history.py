"""Where the reader has been: a plain class, as a browser keeps its history.

``visit`` records an article opened by choice (a later visit cuts the entries ahead of
the position, as following a link does in a browser); ``back`` and ``forward`` move the
position and say where to. The ids come from the profile's stored history at start-up
(``Library.history``); the screen saves each visit there too.
"""

from __future__ import annotations

from collections.abc import Iterable


class History:
    """Article ids, oldest first, and the position of the one being read."""

    __slots__ = ("_ids", "_pos")

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self._ids = list(ids)
        self._pos = len(self._ids) - 1

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def current(self) -> int | None:
        return self._ids[self._pos] if self._ids else None

    def visit(self, article_id: int) -> None:
        """An article opened: it becomes the newest entry (unless it is the current one)."""
        if self.current == article_id:
            return
        del self._ids[self._pos + 1:]
        self._ids.append(article_id)
        self._pos = len(self._ids) - 1

    def back(self) -> int | None:
        """The entry before the current one (the position moves there), None at the start."""
        if self._pos <= 0:
            return None
        self._pos -= 1
        return self._ids[self._pos]

    def forward(self) -> int | None:
        """The entry after the current one (the position moves there), None at the end."""
        if self._pos + 1 >= len(self._ids):
            return None
        self._pos += 1
        return self._ids[self._pos]

    def restore(self, ids: Iterable[int]) -> None:
        """The stored history, unless the reader has visited something already."""
        if not self._ids:
            self._ids = list(ids)
            self._pos = len(self._ids) - 1
