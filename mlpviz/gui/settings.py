"""The app's settings: one place with the defaults, and one reader that checks every stored value.

QSettings keeps them as text (on Linux an INI file, `$XDG_CONFIG_HOME/<org>/mlpviz.conf`, else
`~/.config/…`), so anything can come back: a number too big for its spin box, "abc", NaN, a list
where a number belongs. `read()` turns each stored value into a valid setting, or into that key's
default when it is not one — it never raises. Tests and screenshots point `MLPVIZ_SETTINGS_ORG`
at another organisation name, so they never touch the user's file.
"""

from __future__ import annotations

import math
import os
from types import MappingProxyType
from typing import Callable, Mapping

from PySide6.QtCore import QByteArray, QSettings

from mlpviz import i18n
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.limits import DRAWN, hidden_problem
from mlpviz.core.palette import DEFAULT_PALETTE, PALETTES
from mlpviz.core.training import DEFAULT_BATCH
from mlpviz.gui.run_controls import LR_RANGE as RUN_LR_RANGE
from mlpviz.gui.session import (
    DEFAULT_ACTIVATION, DEFAULT_COST, DEFAULT_DATASET, DEFAULT_SEED, DEFAULT_SIZES, SEED_RANGE,
    Session,
)
from mlpviz.gui.theme import THEMES
from mlpviz.gui.worker import MAX_SPEED

# What the toolbar's boxes hold (a test checks these against the widgets).
SPEED_RANGE = (1, MAX_SPEED)
STOP_AFTER_RANGE = (0, 100_000)  # the "stop after" box (run_controls.MAX_STOP_AFTER)
LR_RANGE = RUN_LR_RANGE  # the η box
BATCH_RANGE = (1, 10_000)  # the batch box
MAX_LAYER_SIZE = 2**31 - 1  # input and output layers: the data decides, the Session checks
MAX_SPEC_LENGTH = 4096  # a dataset name or folder path

DEFAULTS: Mapping[str, object] = MappingProxyType({
    "sizes": tuple(DEFAULT_SIZES),
    "activation": DEFAULT_ACTIVATION,
    "cost": DEFAULT_COST,
    "seed": DEFAULT_SEED,
    "dataset": DEFAULT_DATASET,
    "lr": None,  # None: the cost's own default rate
    "batch_size": DEFAULT_BATCH,
    "speed": MAX_SPEED,
    "stop_after": 0,  # epochs after which training pauses by itself; 0: never
    "theme": "dark",
    "palette": DEFAULT_PALETTE,  # the signs' colours: "lesson" (green/red) or "colourblind"
    "presentation": False,
    "input_circles": False,
    "language": None,  # "en" or "zh"; None: follow the system's locale (i18n.system_language)
    "geometry": None,  # QByteArray from QMainWindow.saveGeometry, or None
    "window_state": None,  # QByteArray from QMainWindow.saveState (the docks), or None
})


class _Invalid(ValueError):
    """A stored value that is not a valid setting."""


def store() -> QSettings:
    """The app's QSettings (organisation `$MLPVIZ_SETTINGS_ORG`, else "mlpviz")."""
    return QSettings(os.environ.get("MLPVIZ_SETTINGS_ORG", "mlpviz"), "mlpviz")


# -- one checker per kind of value ---------------------------------------------------------------
def _whole(raw, lo: int, hi: int) -> int:
    """An int lo…hi from an int, an integral finite float, or its decimal text."""
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw.lstrip("+-").isdigit() or len(raw) > 20:
            raise _Invalid(raw)
        raw = int(raw)
    elif isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not lo <= raw <= hi:
        raise _Invalid(raw)
    return raw


def _real(raw, lo: float, hi: float) -> float:
    """A finite float lo…hi from a number or its text."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _Invalid(raw)
    try:
        value = float(raw)
    except (ValueError, OverflowError):
        raise _Invalid(raw) from None
    if not (math.isfinite(value) and lo <= value <= hi):
        raise _Invalid(raw)
    return value


def _flag(raw) -> bool:
    """True / False, or QSettings' text for them ("true" / "false")."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise _Invalid(raw)


def _one_of(names) -> Callable[[object], str]:
    def check(raw) -> str:
        if not isinstance(raw, str) or raw not in names:
            raise _Invalid(raw)
        return raw
    return check


def _sizes(raw) -> tuple[int, ...]:
    """Layer sizes from "784,16,16,10" (or the list QSettings makes of it): 1 to
    hidden layers within what the app draws (core.limits.DRAWN)."""
    parts = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(parts, (list, tuple)) or len(parts) < 3:
        raise _Invalid(raw)
    sizes = [_whole(p, 1, MAX_LAYER_SIZE) for p in parts]
    if hidden_problem(sizes[1:-1], DRAWN) is not None:
        raise _Invalid(raw)
    return tuple(sizes)


def _dataset(raw) -> str:
    """A dataset spec: a name or a folder path (whether it loads, the Session finds out)."""
    if not isinstance(raw, str) or not raw.strip() or "\0" in raw or len(raw) > MAX_SPEC_LENGTH:
        raise _Invalid(raw)
    return raw


def _layout(raw) -> QByteArray:
    """The bytes Qt saved for the window's geometry or docks (Qt checks their content)."""
    if isinstance(raw, (bytes, bytearray)):
        raw = QByteArray(bytes(raw))
    if not isinstance(raw, QByteArray) or raw.isEmpty():
        raise _Invalid(raw)
    return raw


_CHECKS: Mapping[str, Callable[[object], object]] = MappingProxyType({
    "sizes": _sizes,
    "activation": _one_of(tuple(ACTIVATIONS)),
    "cost": _one_of(tuple(COSTS)),
    "seed": lambda raw: _whole(raw, *SEED_RANGE),
    "dataset": _dataset,
    "lr": lambda raw: _real(raw, *LR_RANGE),
    "batch_size": lambda raw: _whole(raw, *BATCH_RANGE),
    "speed": lambda raw: _whole(raw, *SPEED_RANGE),
    "stop_after": lambda raw: _whole(raw, *STOP_AFTER_RANGE),
    "theme": _one_of(tuple(THEMES)),
    "palette": _one_of(tuple(PALETTES)),
    "presentation": _flag,
    "input_circles": _flag,
    "language": _one_of(i18n.LANGUAGES),
    "geometry": _layout,
    "window_state": _layout,
})


def _checked(key: str, raw):
    """raw as a valid value for `key`, or None if it is missing or not one."""
    if raw is None:
        return None
    try:
        return _CHECKS[key](raw)
    except (_Invalid, TypeError, ValueError, OverflowError):
        return None


def validate(raw: Mapping[str, object]) -> dict[str, object]:
    """Every setting: raw[key] if it is a valid value for that key, else DEFAULTS[key].
    Keys missing from `raw` get their default; keys not in DEFAULTS are ignored."""
    values = dict(DEFAULTS)
    for key in DEFAULTS:
        value = _checked(key, raw.get(key))
        if value is not None:
            values[key] = value
    return values


def read(settings: QSettings | None = None) -> dict[str, object]:
    """The stored settings (the app's own by default), each one valid: see `validate`."""
    settings = store() if settings is None else settings
    raw = {}
    for key in DEFAULTS:
        try:
            if settings.contains(key):
                raw[key] = settings.value(key)
        except (TypeError, ValueError, RuntimeError):
            pass  # a value Qt cannot hand to Python: the default
    return validate(raw)


def write(values: Mapping[str, object], settings: QSettings | None = None) -> None:
    """Store the settings in `values` (keys of DEFAULTS; sizes as "784,16,16,10"). A value that
    `read` would not take back (a seed beyond the seed box, None) is removed instead, so its
    default applies next time."""
    settings = store() if settings is None else settings
    for key in DEFAULTS:
        if key not in values:
            continue
        value = _checked(key, values[key])
        if value is None:
            settings.remove(key)
        else:
            settings.setValue(key, ",".join(map(str, value)) if key == "sizes" else value)
    settings.sync()


def session_values(session: Session) -> dict[str, object]:
    """The settings that describe a Session's run (architecture, seed, data, η, batch)."""
    return {"sizes": session.sizes, "activation": session.activation, "cost": session.cost,
            "seed": session.seed, "dataset": session.dataset_spec, "lr": session.lr,
            "batch_size": session.batch_size}


def session_from(values: Mapping[str, object]) -> tuple[Session, str | None]:
    """A Session built from validated settings, and None; or, if they cannot make one (a data
    folder that has gone, layers that do not fit the data), a Session on the defaults and the
    sentence saying so, for the window's banner."""
    try:
        return Session(dataset_spec=values["dataset"], sizes=values["sizes"],
                       activation=values["activation"], cost=values["cost"],
                       seed=values["seed"], lr=values["lr"],
                       batch_size=values["batch_size"]), None
    except (ValueError, TypeError, OSError) as e:  # DatasetError is a ValueError
        return Session(), (f"The saved network settings could not be used ({e}). The network "
                           "and the data start from the defaults instead.")
