"""The lead image in the article pane, drawn by textual-image (``ui.show_images``).

textual-image asks the terminal what it can draw (Sixel, Kitty's graphics
protocol, else coloured half cells) when it is imported, and that must happen
before Textual takes the terminal over: ``prepare`` is called by ``cli/tui.py``
before the App runs, and only when images are switched on, so start-up does not
pay for it otherwise. Images reach this module only from ``termnews.images``,
which kept them only if Pillow could read them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.widget import Widget

IMAGE_ROWS = 12  # the image's height in the pane; its width follows the aspect ratio


def prepare() -> bool:
    """Import textual-image (it queries the terminal) while the terminal is still ours.

    False when that fails (no terminal to ask, stdin not a tty …): the caller then turns
    images off rather than let the import be retried once Textual owns the terminal.
    """
    try:
        import textual_image.widget  # noqa: F401
    except Exception:  # termios and OS errors of a terminal that cannot be queried
        return False
    return True


def image_widget(path: Path, mode: str) -> Widget:
    """A widget drawing the image at path, the way ``ui.image_mode`` says."""
    import textual_image.widget as tiw

    classes: dict[str, Any] = {
        "sixel": tiw.SixelImage,
        "kitty": tiw.TGPImage,
        "halfcell": tiw.HalfcellImage,
        "unicode": tiw.UnicodeImage,
    }
    cls = classes.get(mode, tiw.Image)
    widget: Widget = cls(str(path), id="lead-image")
    widget.styles.height = IMAGE_ROWS
    widget.styles.width = "auto"
    return widget
