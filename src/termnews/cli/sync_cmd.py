"""``termnews sync [--status [--json]]``: read on several machines through a feed server."""

from __future__ import annotations

import argparse
import json

from termnews.cli.context import CliError, Context
from termnews.cli.output import iso_utc, one_line, warn
from termnews.i18n import N_, _
from termnews.library import Library, SyncError
from termnews.model import SyncSummary

HELP = N_("""\
Push this profile's local changes (read, starred, subscriptions) to the sync server
of the config's [sync] table (Miniflux, or a Google Reader API server) and pull the
server's. One summary line, e.g. "sync: 12 up, 40 down, 0 conflicts".
--status prints the service, url, source, last sync (ISO 8601 UTC), pending local
changes and the last error; --json as one JSON object.

exit status: 0 when the sync ran; 1 when it could not (server unreachable, bad
token or password, server error: one line says which; nothing local is lost).""")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sync", help=_("sync with a Miniflux or Google Reader server"),
                       description=_(HELP), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--status", action="store_true",
                   help=_("show the sync state instead of syncing"))
    p.add_argument("--json", action="store_true", help=_("with --status: one JSON object"))
    p.set_defaults(handler=run)


def summary_line(s: SyncSummary) -> str:
    return _("sync: {up} up, {down} down, {conflicts} conflicts").format(
        up=s.up, down=s.down, conflicts=s.conflicts)


def sync_library(lib: Library) -> SyncSummary:
    """Sync and print the summary (warnings on stderr); a failure is one CliError line."""
    for line in lib.sync_warnings():
        warn(line)
    try:
        summary = lib.sync()
    except SyncError as exc:
        raise CliError(_("sync failed: {error}").format(error=one_line(str(exc)))) from None
    for line in summary.warnings:
        warn(line)
    print(summary_line(summary))
    return summary


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.json and not args.status:
        raise CliError(_("--json goes with --status"), 2)
    lib = ctx.library(starter=False)
    if lib.sync_config is None:
        raise CliError(_("no sync server: add a [sync] table to {path} (see the README)")
                       .format(path=ctx.paths.config_file))
    if args.status:
        status = lib.sync_status()
        assert status is not None
        record = {"service": status.service, "url": status.url, "source": status.source,
                  "last_sync": iso_utc(status.last_sync), "pending": status.pending,
                  "error": status.error}
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            for name, value in record.items():
                shown = "-" if value is None else str(value)
                print(f"{name}: {one_line(shown)}")
        return 0
    if ctx.offline:
        raise CliError(_("sync needs the network, which --offline forbids"), 2)
    sync_library(lib)
    return 0
