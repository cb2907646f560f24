"""The footer of key hints, translated when drawn and showing the user's remapped keys.

Textual's Footer shows binding descriptions as they were at import; this one
looks each hint's binding up by id among the screen's active bindings and
translates its label with ``_`` at render time, so a live language switch or a
``[keys]`` remap shows at once.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from termnews.i18n import _
from termnews.ui.keys import FOOTER_HINTS


class KeyHints(Static):
    DEFAULT_CSS = """
    KeyHints { dock: bottom; height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.refresh_hints()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh_hints()

    def _bindings_by_id(self) -> dict[str, Binding]:
        found: dict[str, Binding] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.id and (binding.id not in found
                               or len(binding.key) < len(found[binding.id].key)):
                found[binding.id] = binding  # the shortest key: "j" rather than "down"
        return found

    def hints(self) -> list[tuple[str, str]]:
        """(keys, translated label) pairs in footer order; hints with no active key are skipped."""
        by_id = self._bindings_by_id()
        # Bindings of a list that is not focused are not active: fall back to the table.
        from termnews.ui.keys import all_bindings

        keymap: dict[str, str] = getattr(self.app, "user_keymap", {})
        table = {b.id: b for b in all_bindings() if b.id}
        # A label that depends on the row under the cursor (s: subscribe or unsubscribe).
        label_of = getattr(self.screen, "hint_label", None)
        result = []
        for ids, label in FOOTER_HINTS:
            keys = []
            for binding_id in ids:
                binding = by_id.get(binding_id)
                if binding is None and binding_id in table:
                    binding = table[binding_id]
                    if binding_id in keymap:
                        binding = binding.with_key(keymap[binding_id].split(",")[0])
                    else:
                        binding = binding.with_key(binding.key.split(",")[0],
                                                   binding.key_display)
                if binding is not None:
                    keys.append(self.app.get_key_display(binding))
            if keys:
                shown = label_of(ids[0]) if callable(label_of) else None
                result.append(("/".join(keys), shown or _(label)))
        return result

    def refresh_hints(self) -> None:
        hints = self.hints()
        width = self.size.width - 2 if self.size.width else 10_000
        # Too narrow: drop hints before the last two (help and quit stay).
        while len(hints) > 2 and cell_len(" · ".join(f"{k} {v}" for k, v in hints)) > width:
            del hints[-3]
        parts = [Content.assemble((keys, "bold $accent"), " ", label) for keys, label in hints]
        self.update(Content(" · ").join(parts))

    def on_resize(self) -> None:
        self.refresh_hints()
