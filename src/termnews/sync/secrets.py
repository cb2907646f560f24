"""Tokens and passwords: from the config, or from a command (a password manager).

A ``*_command`` runs without a shell (``shlex.split``), with a time limit and no input;
the first line it prints is the secret. Neither the secret nor the command's output ever
reaches a message: a failure names the setting, the exit status and nothing else.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from termnews.config import Config, SyncConfig
from termnews.sync.errors import SECRET, SyncError

COMMAND_TIMEOUT = 30.0


def run_secret_command(command: str, setting: str) -> str:
    import shlex
    import subprocess

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise SyncError(f"{setting}: cannot split the command ({exc})", SECRET) from None
    if not argv:
        raise SyncError(f"{setting} is empty", SECRET)
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=COMMAND_TIMEOUT, check=False)
    except FileNotFoundError:
        raise SyncError(f"{setting}: program not found: {argv[0]}", SECRET) from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"{setting}: no answer within {COMMAND_TIMEOUT:g} s", SECRET) from None
    except OSError as exc:
        raise SyncError(f"{setting}: cannot run {argv[0]}: {exc.strerror}", SECRET) from None
    if done.returncode != 0:
        raise SyncError(f"{setting}: the command failed (exit status {done.returncode})",
                        SECRET)
    first = done.stdout.decode("utf-8", "replace").splitlines()[:1]
    secret = first[0].strip() if first else ""
    if not secret:
        raise SyncError(f"{setting}: the command printed nothing", SECRET)
    return secret


def token_of(cfg: SyncConfig) -> str:
    if cfg.token:
        return cfg.token
    if cfg.token_command:
        return run_secret_command(cfg.token_command, "token_command")
    return ""


def password_of(cfg: SyncConfig) -> str:
    if cfg.password:
        return cfg.password
    if cfg.password_command:
        return run_secret_command(cfg.password_command, "password_command")
    return ""


def exposure_warning(config: Config) -> str | None:
    """A warning when the config file holds a token or password others may read."""
    path: Path | None = config.path
    tables = [t for t in (config.sync, *config.profile_sync.values()) if t is not None]
    if path is None or not any(t.token or t.password for t in tables):
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        import shlex

        return (f"{path} holds a sync secret and others can read it: "
                f"chmod 600 {shlex.quote(str(path))} (or use token_command)")
    return None
