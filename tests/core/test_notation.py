"""core/notation: how numbers and symbols read on screen. Every helper, with the real minus sign
"−" (never ASCII "-"), ×10ⁿ instead of e-notation, rounding at the edges, huge and tiny values,
NaN and ±∞ as the helpers define them, and parse_number reading back what fmt and fmt_fixed show."""

import math

import numpy as np
import pytest

from mlpviz.core.notation import MINUS, fmt_fixed, fmt_sig, param_name, parse_number, sub, sup

SUPERSCRIPTS = set("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def sweep(n: int = 2000, seed: int = 0) -> np.ndarray:
    """n values of both signs with magnitudes spread evenly over 10⁻³⁰⁰ … 10³⁰⁰, plus whole
    numbers and the round-off-prone values near powers of ten."""
    rng = np.random.default_rng(seed)
    spread = 10.0 ** rng.uniform(-300, 300, n) * rng.choice([-1.0, 1.0], n)
    whole = rng.integers(-99_999, 100_000, 200).astype(float)
    near_ten = np.array([s * 10.0**e * f for s in (-1, 1) for e in range(-6, 7)
                         for f in (0.99994, 0.99995, 0.999951, 1.0, 1.00005)])
    return np.concatenate([spread, whole, near_ten])


def significant_digits(text: str) -> int:
    """How many significant digits a shown number has: "−0.01235" → 4, "1.000×10⁴" → 4."""
    mantissa = text.lstrip("+" + MINUS).split("×")[0]
    return len(mantissa.replace(".", "").lstrip("0"))


# -- fmt -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("v, digits, signed, shown", [
    (0.012345, 4, False, "0.01235"),
    (-1.5, 4, True, "−1.500"),
    (1.5, 4, True, "+1.500"),
    (2.5e-7, 4, False, "2.500×10⁻⁷"),
    (-2.5e-7, 4, False, "−2.500×10⁻⁷"),
    (0.1 + 0.2, 2, False, "0.30"),
    (123.456, 4, False, "123.5"),
    (0.0001234, 4, False, "0.0001234"),   # down to 10⁻⁴ as a decimal …
    (0.00001234, 4, False, "1.234×10⁻⁵"),  # … below it with ×10ⁿ
    (12345.6, 4, False, "1.235×10⁴"),
    (15.5, 1, False, "2×10¹"),            # no dangling point after a one-digit mantissa
])
def test_fmt_significant_digits_minus_sign_and_powers_of_ten(v, digits, signed, shown):
    assert fmt_sig(v, digits, signed) == shown


@pytest.mark.parametrize("v, shown", [(1.0, "1"), (-2.0, "−2"), (9999.0, "9999"),
                                      (10_000.0, "1.000×10⁴"), (-123.0, "−123")])
def test_fmt_shows_an_exact_integer_without_decimals_when_it_fits_the_digits(v, shown):
    assert fmt_sig(v) == shown


def test_fmt_a_near_integer_keeps_its_decimals():
    assert fmt_sig(1.000000001) == "1.000" and fmt_sig(-2 - 1e-9) == "−2.000"
    assert fmt_sig(0.1 + 0.2, 1) == "0.3" and fmt_sig(3.0000001, 2) == "3.0"


def test_fmt_signed_integers_and_zero():
    assert fmt_sig(2.0, signed=True) == "+2" and fmt_sig(-2.0, signed=True) == "−2"
    assert fmt_sig(0) == fmt_sig(0.0, signed=True) == fmt_sig(-0.0) == fmt_sig(-0.0, signed=True) == "0"


@pytest.mark.parametrize("v, digits, shown", [
    (9.99996, 4, "10.00"),       # rounding carries into a new digit: still four significant
    (0.99996, 4, "1.000"),       # rounds to 1 but is not exactly 1
    (-0.99996, 4, "−1.000"),
    (9999.6, 4, "1.000×10⁴"),    # carrying past the digits switches to ×10ⁿ
    (0.000099996, 4, "0.0001000"),  # 10⁻⁴ after rounding: a decimal again
    (0.5, 1, "0.5"),
    (0.25, 1, "0.2"),            # round half to even, as Python does
    (2.00001, 4, "2.000"),
])
def test_fmt_rounding_edges(v, digits, shown):
    assert fmt_sig(v, digits) == shown


@pytest.mark.parametrize("v, shown", [
    (1e300, "1.000×10³⁰⁰"), (-1e300, "−1.000×10³⁰⁰"), (1.7976931348623157e308, "1.798×10³⁰⁸"),
    (1e-300, "1.000×10⁻³⁰⁰"), (5e-324, "4.941×10⁻³²⁴"), (-5e-324, "−4.941×10⁻³²⁴"),
    (np.float32(0.1), "0.1000"), (np.float64(-3.0), "−3"), (np.int64(7), "7"),
])
def test_fmt_huge_tiny_and_numpy_values(v, shown):
    assert fmt_sig(v) == shown


@pytest.mark.parametrize("v, signed, shown", [
    (math.nan, False, "NaN"), (math.nan, True, "NaN"), (np.nan, False, "NaN"),
    (math.inf, False, "∞"), (math.inf, True, "+∞"),
    (-math.inf, False, "−∞"), (-math.inf, True, "−∞"),
    (1e308 * 10, False, "∞"),
])
def test_fmt_nan_and_infinity(v, signed, shown):
    assert fmt_sig(v, signed=signed) == shown


@pytest.mark.parametrize("digits", [1, 2, 3, 4, 6])
def test_fmt_never_shows_ascii_minus_or_e_notation_and_keeps_its_digits(digits):
    for v in sweep():
        for signed in (False, True):
            text = fmt_sig(v, digits, signed)
            assert "-" not in text and "e" not in text, (v, text)
            assert text.startswith(MINUS) == (v < 0), (v, text)
            assert text.startswith("+") == (signed and v > 0), (v, text)
            if not float(v).is_integer() or abs(v) >= 10**digits:
                assert significant_digits(text) == digits, (v, digits, text)


@pytest.mark.parametrize("digits", [1, 2, 4, 6])
def test_parse_number_reads_back_what_fmt_shows(digits):
    half_ulp = 0.5 * 10.0 ** (1 - digits)  # a rounding error of at most half the last digit
    for v in sweep(seed=digits):
        for signed in (False, True):
            back = parse_number(fmt_sig(v, digits, signed))
            assert back == pytest.approx(v, rel=half_ulp * 1.0001, abs=0), (v, digits)


# -- fmt_fixed -----------------------------------------------------------------------------------

@pytest.mark.parametrize("v, decimals, signed, shown", [
    (0.5, 3, True, "+0.500"),
    (-0.5, 3, True, "−0.500"),
    (-0.5, 3, False, "−0.500"),
    (3.14159, 2, False, "3.14"),
    (2.675, 2, False, "2.67"),       # the float 2.675 is a hair below 2.675
    (0.125, 2, False, "0.12"),       # an exact half rounds to even
    (-1.999, 2, False, "−2.00"),
    (1e20, 2, False, "100000000000000000000.00"),  # no ×10ⁿ: fixed is fixed
    (12.7, 0, False, "13"),
])
def test_fmt_fixed_decimals_and_signs(v, decimals, signed, shown):
    assert fmt_fixed(v, decimals, signed) == shown


def test_fmt_fixed_a_value_that_rounds_to_zero_keeps_its_direction():
    assert fmt_fixed(-0.00036) == "−0.00"
    assert fmt_fixed(0.00036, signed=True) == "+0.00"
    assert fmt_fixed(-5e-324, 3) == "−0.000"


def test_fmt_fixed_an_exact_zero_has_no_sign():
    # −0.0 comes out of −(w · 0) for a dead relu or a black pixel: a lever that does nothing must
    # not read as a nudge down (or, with signed, as a nudge up).
    for zero in (0.0, -0.0, np.float32(-0.0), 0):
        assert fmt_fixed(zero) == fmt_fixed(zero, signed=True) == "0.00"
    assert fmt_fixed(-0.0, 3, signed=True) == "0.000"


@pytest.mark.parametrize("v, signed, shown", [
    (math.nan, False, "NaN"), (math.inf, False, "∞"), (math.inf, True, "+∞"),
    (-math.inf, True, "−∞"),
])
def test_fmt_fixed_nan_and_infinity_as_fmt_shows_them(v, signed, shown):
    assert fmt_fixed(v, 2, signed) == shown == fmt_sig(v, signed=signed)


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, 5])
def test_fmt_fixed_never_shows_ascii_minus_and_reads_back(decimals):
    for v in sweep(seed=10 + decimals):
        if abs(v) > 1e15:  # beyond float's 16 digits the decimals themselves are noise
            continue
        for signed in (False, True):
            text = fmt_fixed(v, decimals, signed)
            assert "-" not in text and "e" not in text, (v, text)
            assert text.startswith(MINUS) == (v < 0) and text.startswith("+") == (signed and v > 0)
            whole, _, frac = text.lstrip("+" + MINUS).partition(".")
            assert whole.isdigit() and len(frac) == decimals, (v, text)
            # half the last decimal, plus the float's own spacing at large magnitudes
            tolerance = 0.5 * 10.0**-decimals * 1.0001 + 2 * np.spacing(abs(v))
            assert parse_number(text) == pytest.approx(v, abs=tolerance), (v, text)


# -- parse_number --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("0", 0.0), ("−1.500", -1.5), ("+2", 2.0), ("2.500×10⁻⁷", 2.5e-7), ("−1.000×10³⁰⁰", -1e300),
    ("2×10¹", 20.0), ("+1.5×10⁺³", 1500.0), ("  0.25 ", 0.25), ("-3", -3.0),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_number_infinity_and_nan():
    assert parse_number("∞") == parse_number("+∞") == math.inf
    assert parse_number("−∞") == -math.inf
    assert math.isnan(parse_number("NaN"))


@pytest.mark.parametrize("text", ["", "×10⁵", "1.0×10", "one", "1,5", "1.0e×10⁵"])
def test_parse_number_refuses_what_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_number(text)


# -- superscripts, subscripts, parameter names ---------------------------------------------------

@pytest.mark.parametrize("n, shown", [(0, "⁽⁰⁾"), (1, "⁽¹⁾"), (3, "⁽³⁾"), (10, "⁽¹⁰⁾"),
                                      (123, "⁽¹²³⁾"), (-1, "⁽⁻¹⁾"), (np.int64(2), "⁽²⁾")])
def test_sup(n, shown):
    assert sup(n) == shown


@pytest.mark.parametrize("indices, shown", [((2,), "₂"), ((2, 14), "₂,₁₄"), ((0, 783), "₀,₇₈₃"),
                                            ((1, 2, 3), "₁,₂,₃"), ((), ""), ((-1,), "₋₁"),
                                            ((np.int64(9),), "₉")])
def test_sub(indices, shown):
    assert sub(*indices) == shown


def test_sup_and_sub_have_no_ascii_digits_or_minus():
    for n in range(-120, 1000, 7):
        assert not set(sup(n)) & set("0123456789-")
        assert set(sup(n)[1:-1]) <= SUPERSCRIPTS
        assert not set(sub(n, n + 1)) & set("0123456789-")


@pytest.mark.parametrize("l, j, k, shown", [
    (2, 2, 14, "w₂,₁₄⁽³⁾"),
    (0, 15, 783, "w₁₅,₇₈₃⁽¹⁾"),
    (0, 0, 0, "w₀,₀⁽¹⁾"),        # k = 0 is a weight, not a bias
    (2, 2, None, "b₂⁽³⁾"),
    (1, 7, -1, "b₇⁽²⁾"),         # the views' "no source neuron"
    (np.int64(1), np.int64(3), np.int64(4), "w₃,₄⁽²⁾"),
])
def test_param_name(l, j, k, shown):
    assert param_name(l, j, k) == shown


def test_minus_is_the_unicode_minus_sign():
    assert MINUS == "\u2212" and MINUS != "-"
