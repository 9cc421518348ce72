"""How numbers read on screen: `fmt_sig` (significant digits) and `fmt_fixed` (fixed decimals)
round-trip through `parse_number`, with a real minus sign and ×10ⁿ instead of e-notation; the
layer and neuron indices read as the lesson writes them."""

import math

import pytest

from mlpviz.core.notation import MINUS, fmt_fixed, fmt_sig, param_name, parse_number, sub, sup

VALUES = [0.0, 1.0, -2.0, 0.012345, -1.5, 2.5e-7, -3.25e-12, 123.456, 98765.4, 0.1 + 0.2, 1e300]


@pytest.mark.parametrize("v", VALUES)
def test_fmt_sig_and_fmt_fixed_read_back(v):
    assert parse_number(fmt_sig(v)) == pytest.approx(v, rel=5.01e-4)
    assert parse_number(fmt_sig(v, signed=True)) == pytest.approx(v, rel=5.01e-4)
    assert parse_number(fmt_fixed(v)) == pytest.approx(v, abs=5.01e-3)
    assert "e" not in fmt_sig(v) and "-" not in fmt_sig(v)


@pytest.mark.parametrize("v, digits, signed, text", [
    (0.012345, 4, False, "0.01235"),
    (-1.5, 4, True, MINUS + "1.500"),
    (0.5, 2, True, "+0.50"),
    (2.5e-7, 4, False, "2.500×10⁻⁷"),
    (1.0, 4, False, "1"),  # exactly 1, not 1.000
    (0.1 + 0.2, 2, False, "0.30"),
    (0.0, 4, True, "0"),
])
def test_fmt_sig_shows_significant_digits(v, digits, signed, text):
    assert fmt_sig(v, digits, signed) == text


def test_fmt_sig_names_non_finite_values():
    assert fmt_sig(math.inf) == "∞" and fmt_sig(math.inf, signed=True) == "+∞"
    assert fmt_sig(-math.inf) == MINUS + "∞" and fmt_sig(math.nan) == "NaN"


def test_fmt_fixed_keeps_the_sign_of_a_rounded_negative():
    assert fmt_fixed(-0.00036) == MINUS + "0.00"
    assert fmt_fixed(0.5, 3, signed=True) == "+0.500"
    assert fmt_fixed(2.0) == "2.00"


def test_indices_read_as_the_lesson_writes_them():
    assert sup(3) == "⁽³⁾" and sub(2, 14) == "₂,₁₄"
    assert param_name(2, 2, 14) == "w₂,₁₄⁽³⁾"
    assert param_name(2, 2, None) == param_name(2, 2, -1) == "b₂⁽³⁾"
