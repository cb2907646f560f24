"""The reader's history: a plain class, as a browser keeps it."""

from __future__ import annotations

from termnews.ui.history import History


def test_back_forward_and_a_new_visit_cutting_what_was_ahead() -> None:
    h = History()
    assert h.current is None and h.back() is None and h.forward() is None
    for article in (1, 2, 3):
        h.visit(article)
    h.visit(3)  # the current one again: nothing new
    assert len(h) == 3 and h.current == 3
    assert h.back() == 2 and h.back() == 1 and h.back() is None
    assert h.current == 1
    assert h.forward() == 2
    h.visit(7)  # from 2: 3 was ahead and goes
    assert h.forward() is None and h.back() == 2 and h.back() == 1


def test_restore_only_into_an_empty_history() -> None:
    h = History()
    h.restore([4, 5, 6])
    assert h.current == 6 and h.back() == 5
    h.restore([9])  # the reader has a history already: kept
    assert h.current == 5
    fresh = History()
    fresh.visit(1)
    fresh.restore([8, 9])  # a visit before the stored history arrived wins
    assert fresh.current == 1 and len(fresh) == 1
