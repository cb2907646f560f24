"""Where termnews keeps its files.

platformdirs gives the standard places; ``--data-dir`` / ``TERMNEWS_DATA_DIR``
puts everything (config, data, cache) under one folder, which tests, benchmarks
and the demo always use. Nothing is created at import: ``Paths.ensure()`` makes
the folders when a command needs them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP = "termnews"
ENV_DATA_DIR = "TERMNEWS_DATA_DIR"


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    state_dir: Path | None = None  # the log's folder (None: the data folder)

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def cache_db(self) -> Path:
        return self.data_dir / "cache.db"

    @property
    def state_db(self) -> Path:
        return self.data_dir / "state.db"

    @property
    def images_dir(self) -> Path:
        return self.cache_dir / "images"

    @property
    def log_file(self) -> Path:
        """termnews.log: what a bug report needs (``termnews.logs``)."""
        return (self.state_dir or self.data_dir) / "termnews.log"

    def ensure(self) -> Paths:
        for d in (self.config_dir, self.data_dir, self.cache_dir):
            d.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    """The folders to use: an explicit data dir, then the environment, then platformdirs."""
    chosen = data_dir or os.environ.get(ENV_DATA_DIR) or None
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return Paths(config_dir=root, data_dir=root, cache_dir=root / "cache")
    import platformdirs

    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP)),
        data_dir=Path(platformdirs.user_data_dir(APP)),
        cache_dir=Path(platformdirs.user_cache_dir(APP)),
        state_dir=Path(platformdirs.user_state_dir(APP)),
    )


def demo_paths(base: Paths) -> Paths:
    """The demo outlet's own folder, so the demo never touches the user's real state."""
    root = base.data_dir / "demo"
    return Paths(config_dir=base.config_dir, data_dir=root, cache_dir=root / "cache")
