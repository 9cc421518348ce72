"""How numbers and symbols read on screen: significant digits (`fmt_sig`) or fixed decimals
(`fmt_fixed`) with a real minus sign, ×10ⁿ instead of e-notation, layer superscripts ⁽ˡ⁾ and
neuron subscripts ⱼ,ₖ.

Pure text from numbers, shared by the backprop walk, the structure explanation and the views.
"""

from __future__ import annotations

import math
import re

MINUS = "−"
_SUP = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_SUB = str.maketrans("0123456789-+", "₀₁₂₃₄₅₆₇₈₉₋₊")
_UNSUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def fmt_sig(v: float, digits: int = 4, signed: bool = False) -> str:
    """A number as shown on screen: `digits` significant digits, a real minus sign, "+" in front
    of positive nudges when `signed`, and ×10ⁿ instead of e-notation for very small or large
    values. `parse_number` reads it back.

    >>> fmt_sig(0.012345), fmt_sig(-1.5, signed=True), fmt_sig(2.5e-7)
    ('0.01235', '−1.500', '2.500×10⁻⁷')
    >>> fmt_sig(0), fmt_sig(1.0), fmt_sig(0.1 + 0.2, 2)
    ('0', '1', '0.30')

    An exact integer shows without decimals (1 is exactly 1; 1.000 is 1 to four digits).
    """
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return ("+∞" if signed else "∞") if v > 0 else MINUS + "∞"
    if v == 0:
        return "0"
    if v.is_integer() and abs(v) < 10**digits:
        return (MINUS if v < 0 else ("+" if signed else "")) + str(int(abs(v)))  # exactly 2: "2"
    sign = MINUS if v < 0 else ("+" if signed else "")
    a = abs(v)
    text = f"{a:#.{digits}g}".rstrip(".")  # '#' keeps trailing zeros: 2.000 is not 2
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa.rstrip('.')}×10{str(int(exponent)).translate(_SUP)}"
    return sign + text


def fmt_fixed(v: float, decimals: int = 2, signed: bool = False) -> str:
    """A number with a fixed number of decimals (for wide tables where columns must stay narrow,
    and the panels and tooltips): a real minus sign, "+" in front when `signed`;
    fmt_fixed(−0.00036) = "−0.00", fmt_fixed(0.5, 3, signed=True) = "+0.500". A value that rounds
    to zero keeps its sign (it still points up or down); an exact zero, −0.0 included, has none:
    fmt_fixed(0.0, signed=True) = fmt_fixed(−0.0) = "0.00", as fmt(0) = "0"."""
    v = float(v)
    if not math.isfinite(v):
        return fmt_sig(v, signed=signed)
    text = f"{abs(v):.{decimals}f}"
    if v == 0:
        return text
    return (MINUS if v < 0 else ("+" if signed else "")) + text


def parse_number(text: str) -> float:
    """The float a cell shows (the inverse of `fmt_sig`, to the digits shown)."""
    s = text.strip().replace(MINUS, "-").replace("∞", "inf")
    m = re.fullmatch(r"([+-]?[\d.]+)×10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)", s)
    if m:
        return float(f"{m.group(1)}e{m.group(2).translate(_UNSUP)}")
    return float(s)


def sup(n: int) -> str:
    """The layer superscript ⁽ⁿ⁾."""
    return "⁽" + str(n).translate(_SUP) + "⁾"


def sub(*indices: int) -> str:
    """Neuron subscripts: sub(2) = "₂", sub(2, 14) = "₂,₁₄" (a negative index with "₋")."""
    return ",".join(str(i).translate(_SUB) for i in indices)


def param_name(l: int, j: int, k: int | None) -> str:
    """The lesson's name of weight l (code indexing) from k to j, or of bias j when k is None/−1:
    param_name(2, 2, 14) = "w₂,₁₄⁽³⁾", param_name(2, 2, None) = "b₂⁽³⁾"."""
    if k is None or k < 0:
        return f"b{sub(j)}{sup(l + 1)}"
    return f"w{sub(j, k)}{sup(l + 1)}"
