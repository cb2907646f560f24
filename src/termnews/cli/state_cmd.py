"""``termnews state backup|restore|reset|list``: the backups of state.db, by hand.

These work on the files alone, without opening the profile: they are what a user runs
when state.db is damaged.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from termnews.cli.context import CliError, Context
from termnews.errors import TermnewsError
from termnews.i18n import N_, _

HELP = N_("""\
state.db holds what every profile did: subscriptions, read and starred marks,
preferences, history. termnews backs it up (SQLite's online backup) once a day
and before each upgrade of its format, into the data folder's backups/ folder,
keeping the newest five.
backup: make a backup now.
restore: put the newest good backup (or BACKUP) in place of state.db; the
current state.db is moved aside (state.db.broken-<time>), never deleted.
reset: move state.db aside and start again with no marks or subscriptions.
list: the backups, newest first.
Close termnews (the TUI, a running refresh) before restore or reset.""")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("state", help=_("back up or restore state.db (marks, subscriptions)"),
                       description=_(HELP), formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="state_action", metavar="ACTION", required=True)
    actions.add_parser("backup", help=_("back up state.db now"))
    rs = actions.add_parser("restore", help=_("put a backup in place of state.db"))
    rs.add_argument("backup", nargs="?", metavar="BACKUP",
                    help=_("the backup file (default: the newest good one)"))
    actions.add_parser("reset", help=_("move state.db aside and start with no marks"))
    actions.add_parser("list", help=_("the backups, newest first"))
    p.set_defaults(handler=run)


def _when(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")


def run(args: argparse.Namespace, ctx: Context) -> int:
    lib = ctx.files()
    state_db = ctx.paths.state_db
    out = sys.stdout
    try:
        if args.state_action == "backup":
            made = lib.back_up_state()
            out.write(_("backed up state.db to {path}").format(path=made) + "\n")
        elif args.state_action == "restore":
            source = Path(args.backup).expanduser() if args.backup else None
            used, moved = lib.restore_state(source)
            if moved is not None:
                out.write(_("restored state.db from {backup} ({when}); the previous one is "
                            "now {moved}").format(backup=used, when=_when(used),
                                                  moved=moved.name) + "\n")
            else:
                out.write(_("restored state.db from {backup} ({when})").format(
                    backup=used, when=_when(used)) + "\n")
        elif args.state_action == "reset":
            moved = lib.reset_state()
            if moved is None:
                out.write(_("there is no state.db in {folder}").format(
                    folder=state_db.parent) + "\n")
            else:
                out.write(_("moved state.db to {moved}; termnews starts again with no marks "
                            "or subscriptions").format(moved=moved.name) + "\n")
        else:
            for path in lib.state_backups():
                out.write(f"{_when(path)}  {path}\n")
    except TermnewsError as exc:
        raise CliError(str(exc)) from None
    return 0
