"""The app's two languages, English and 中文 (Simplified Chinese): the current language, the
translations and the listeners that relabel the window when it changes (no Qt: core and GUI alike).

Messages are English gettext message ids, translated through the catalog
mlpviz/locale/zh_CN/LC_MESSAGES/mlpviz.po (compiled to mlpviz.mo beside it; scripts/i18n.sh
extracts, updates and compiles them with Babel). A sentence with numbers in it is one message with
named placeholders, filled after translation, so a translator can move them:

    _("The network's answer is {digit} ({value}).").format(digit=…, value=…)

`ngettext(singular, plural, n)` picks the plural form from the catalog's Plural-Forms (Chinese has
one form, English two). `N_` marks a message that is translated later, where it is shown (a
module-level constant is read at import, before any language is chosen).

Numbers: `count(n)` groups thousands with the language's separator and `decimal_point()` is the
language's decimal mark; both languages write 13,002 and 0.5, so the stepper's numbers read the
same in either (the app's "−" minus is `core.notation.MINUS`).
"""

from __future__ import annotations

import gettext
import os
import re
import weakref
from pathlib import Path
from typing import Callable, Mapping

LANGUAGES = ("en", "zh")
NAMES = {"en": "English", "zh": "中文"}  # each language in its own words (the View › Language menu)
DOMAIN = "mlpviz"
LOCALE_DIR = Path(__file__).parent / "locale"
CATALOGS = {"zh": "zh_CN"}  # the catalog folder of each translated language
# Decimal mark and thousands separator of each language (Chinese writes 13,002 and 0.5 too).
_NUMBER_SYMBOLS = {"en": (".", ","), "zh": (".", ",")}

_NO_SPACE_AFTER = re.compile(r"(?<=[。；！？，：])[ \t]+")

_current = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()
_listeners: list[Callable[[], Callable[[str], None] | None]] = []  # weak: a closed window goes


def normalize(text: object) -> str | None:
    """The app's language for a locale or language name ("zh_CN.UTF-8", "zh-Hans", "en_GB",
    "中文", "C"), or None if it is neither."""
    if not isinstance(text, str):
        return None
    t = text.strip().lower().replace("-", "_")
    if t in ("中文", "chinese") or t == "zh" or t.startswith("zh_"):
        return "zh"
    if t in ("english", "c", "posix") or t == "en" or t.startswith("en_"):
        return "en"
    return None


def system_language(env: Mapping[str, str] | None = None) -> str:
    """The language of the user's locale: gettext's order LANGUAGE, LC_ALL, LC_MESSAGES, LANG;
    the first that is set decides ("zh_CN.UTF-8" → "zh"), English otherwise."""
    env = os.environ if env is None else env
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            for part in value.split(":"):  # LANGUAGE is a list, "zh_CN:en"
                lang = normalize(part.split(".")[0])
                if lang:
                    return lang
            return "en"
    return "en"


def load(lang: str) -> gettext.NullTranslations:
    """The translations of `lang` from its compiled catalog (English: the message ids as they
    are). A missing catalog is a ValueError naming the file (a broken install, not a user's
    mistake)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGUAGES)}")
    if lang not in CATALOGS:
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGS[lang]])
    except OSError as e:
        raise ValueError(f"the {NAMES[lang]} catalog is missing: {e}") from e


def set_language(lang: str) -> None:
    """Make `lang` ("en" or "zh") the language of every message from now on and tell the
    listeners (only when it changes)."""
    global _current, _translation
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: one of {', '.join(LANGUAGES)}")
    if lang == _current:
        return
    _translation = load(lang)
    _current = lang
    for ref in list(_listeners):
        listener = ref()
        if listener is None:
            _listeners.remove(ref)
        else:
            listener(lang)


def language() -> str:
    """The current language: "en" or "zh"."""
    return _current


def add_listener(listener: Callable[[str], None]) -> None:
    """Call listener(lang) after every change of language (the window relabels itself). A bound
    method is held weakly: an object that is gone is no longer called."""
    if not any(ref() == listener for ref in _listeners):
        _listeners.append(_weak(listener))


def remove_listener(listener: Callable[[str], None]) -> None:
    _listeners[:] = [ref for ref in _listeners if ref() not in (None, listener)]


def _weak(listener: Callable[[str], None]):
    """A weak reference to a bound method, a strong one (a closure) to anything else."""
    if hasattr(listener, "__self__") and hasattr(listener, "__func__"):
        return weakref.WeakMethod(listener)
    return lambda: listener


def _(message: str) -> str:
    """`message` in the current language (the English message id when it has no translation)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count n, by the current language's plural rule."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it (translated where it is shown)."""
    return message


def tidy(text: str) -> str:
    """A text put together from translated sentences, spaced as its language writes: Chinese
    puts no space after 。；！？，： (the English sentences were joined with spaces)."""
    if _current == "zh":
        return _NO_SPACE_AFTER.sub("", text)
    return text


def decimal_point() -> str:
    """The current language's decimal mark."""
    return _NUMBER_SYMBOLS[_current][0]


def count(n: int) -> str:
    """A whole number with the current language's thousands separator: 13,002."""
    return f"{int(n):,}".replace(",", _NUMBER_SYMBOLS[_current][1])
