"""The catalog of outlets: built-in TOML data, the bundled demo, the user's own.

Outlets are package data (``outlets/*.toml``); the demo outlet lives in
``demo/`` with its feeds as files, read through the normal refresh pipeline.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from termnews.config import Config
from termnews.model import Edition, Outlet, Section


def _outlet(data: dict[str, Any], *, base: Path | None = None, demo: bool = False,
            user: bool = False) -> Outlet:
    def url(raw: str) -> str:
        # Demo feeds name files relative to the demo folder.
        if base is not None and "://" not in raw:
            return (base / raw).resolve().as_uri()
        return raw

    editions = tuple(
        Edition(
            lang=e["lang"],
            name=e.get("name", e["lang"]),
            home=e.get("home", ""),
            rtl=bool(e.get("rtl", False)),
            sections=tuple(
                Section(key=s["key"], title=s.get("title", s["key"]), feed_url=url(s["url"]),
                        verified=bool(s.get("verified", True)))
                for s in e.get("sections", [])
            ),
        )
        for e in data.get("editions", [])
    )
    return Outlet(key=data["key"], name=data.get("name", data["key"]), editions=editions,
                  demo=demo, user=user)


@cache
def builtin_outlets() -> tuple[Outlet, ...]:
    """The outlets shipped with termnews, in file-name order."""
    folder = resources.files(__package__) / "outlets"
    outlets = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            outlets.append(_outlet(tomllib.loads(entry.read_text(encoding="utf-8"))))
    return tuple(outlets)


DEMO_IMAGE_PREFIX = "https://meridian.example/img/"  # the demo's lead images (a reserved name)


def demo_image(url: str) -> Path | None:
    """The bundled file for a demo lead image URL (``…/img/<story id>.jpg``), if there is one."""
    if not url.startswith(DEMO_IMAGE_PREFIX):
        return None
    name = url[len(DEMO_IMAGE_PREFIX):]
    if not name.endswith(".jpg") or not name[:-4].replace("-", "").isalnum():
        return None  # only plain story ids: nothing like ../ reaches the file system
    path = Path(str(resources.files(__package__) / "demo" / "images" / name))
    return path if path.is_file() else None


@cache
def demo_outlet() -> Outlet:
    """The bundled offline demo outlet; its feed URLs are file: URIs into the package."""
    folder = Path(str(resources.files(__package__) / "demo"))
    data = tomllib.loads((folder / "outlet.toml").read_text(encoding="utf-8"))
    return _outlet(data, base=folder, demo=True)


def user_outlets(config: Config) -> tuple[Outlet, ...]:
    return tuple(
        Outlet(
            key=o.key, name=o.name, user=True,
            editions=tuple(
                Edition(lang=e.lang, name=e.name, home=e.home, rtl=e.rtl,
                        sections=tuple(Section(key=s.key, title=s.title, feed_url=s.url)
                                       for s in e.sections))
                for e in o.editions
            ),
        )
        for o in config.outlets
    )


def all_outlets(config: Config, *, demo: bool = False) -> tuple[Outlet, ...]:
    """Catalog outlets the user can subscribe to (the demo outlet only in demo mode)."""
    if demo:
        return (demo_outlet(),)
    return builtin_outlets() + user_outlets(config)


def find_outlet(outlets: tuple[Outlet, ...], key: str) -> Outlet | None:
    key = key.casefold()
    return next((o for o in outlets if o.key.casefold() == key or o.name.casefold() == key), None)
