"""Where mlpviz keeps downloaded data (shared by `datasets`, which looks there, and `download`,
which writes there)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Where downloaded datasets live: $MLPVIZ_DATA, else $XDG_CACHE_HOME/mlpviz, else
    ~/.cache/mlpviz. The folder is not created here."""
    if os.environ.get("MLPVIZ_DATA"):
        return Path(os.environ["MLPVIZ_DATA"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "mlpviz"
