"""Starting the TUI: open the profile's library, read the first frame's data, run the App.

Textual is imported here only, when no subcommand was given.
"""

from __future__ import annotations

import argparse
import gc

from termnews.cli.context import Context


def run_tui(args: argparse.Namespace, ctx: Context) -> int:
    # Start-up allocates a lot and frees little: no garbage collection until the first
    # frame (a full collection here cost 30-90 ms); MainScreen switches it back on.
    gc.disable()
    lib = ctx.library(announce=False)  # the app shows what opening the files did
    if lib.config.ui.show_images:
        from termnews.ui.widgets.lead_image import prepare

        # Ask the terminal what it can draw before Textual takes it over; if it cannot
        # be asked, read without images (captions stay) rather than fail.
        if not prepare():
            from dataclasses import replace

            lib.config = replace(lib.config, ui=replace(lib.config.ui, show_images=False))
    from termnews.ui.views import load_start

    start = load_start(lib, edition=getattr(args, "edition", None))
    from termnews.ui.app import TermnewsApp

    app = TermnewsApp(lib, start=start, offline=ctx.offline,
                      edition=getattr(args, "edition", None))
    result = app.run()
    return int(result or 0) if app.return_code in (None, 0) else int(app.return_code or 1)
