"""The cost records: the trainer's in-place output and its batch step are the same math as the
general functions, and each record answers what others would otherwise ask its name."""

import decimal

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS, SIGMOID
from mlpviz.core.costs import COSTS, CROSS_ENTROPY, MSE, get_cost, one_hot, softmax
from mlpviz.core.network import layer_output


def _outputs(cost, act, dtype, seed=0):
    """Seeded outputs A (12, 5) of `cost` with activation `act`, and labels (12,)."""
    rng = np.random.default_rng(seed)
    Z = (rng.standard_normal((12, 5)) * 3).astype(dtype)
    return cost.output(Z, act), rng.integers(0, 5, size=12)


@pytest.mark.parametrize("cost", COSTS.values(), ids=list(COSTS))
@pytest.mark.parametrize("act", ACTIVATIONS.values(), ids=list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_output_inplace_is_output_written_into_z(cost, act, dtype):
    """Also where e^−z overflows (z = −1000): under the caller's errstate, as in the trainer."""
    Z = (np.random.default_rng(1).standard_normal((6, 4)) * 4).astype(dtype)
    Z[0, 0], Z[1, 1] = -1000, 1000
    expected = cost.output(Z, act)
    out = Z.copy()
    with np.errstate(over="ignore"):
        result = cost.output_inplace(out, act)
    assert result is out and result.dtype == dtype
    np.testing.assert_array_equal(result, expected)
    hidden = Z.copy()
    with np.errstate(over="ignore"):
        assert layer_output(hidden, 1, 2, act, cost, inplace=True) is hidden
    np.testing.assert_array_equal(hidden, layer_output(Z, 1, 2, act, cost))


@pytest.mark.parametrize("cost", COSTS.values(), ids=list(COSTS))
@pytest.mark.parametrize("act", ACTIVATIONS.values(), ids=list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_cost_and_delta_is_the_mean_cost_and_grad_z(cost, act, dtype):
    rng = np.random.default_rng(0)
    Z = (rng.standard_normal((12, 5)) * 3).astype(dtype)
    labels = rng.integers(0, 5, size=12)
    Y = one_hot(labels, 5, dtype=np.float64)
    A64 = cost.output(Z, act).astype(np.float64)
    want_cost = float(cost.value_from_z(Z.astype(np.float64), Y, act).mean())
    out = Z.copy()
    mean_cost, delta = cost.batch_cost_and_delta(out, labels, act)
    np.testing.assert_array_equal(out, cost.output(Z, act))  # the outputs, written into Z
    assert delta.dtype == dtype
    assert mean_cost == pytest.approx(want_cost, rel=1e-5)
    np.testing.assert_allclose(delta, cost.grad_z_from_a(A64, Y, act), rtol=1e-5, atol=1e-7)


def _reference_cost(z, label) -> float:
    """ln Σ e^{z_i} − z_label = (m − z_label) + ln(1 + s), s = Σ_{i ≠ top} e^{z_i − m}, in
    60-digit decimal arithmetic (ln(1 + s) by its series where s is tiny): independent of the
    float code, exact where e^−gap is far below one float's precision."""
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        zs = [decimal.Decimal(float(v)) for v in z]
        top = max(range(len(zs)), key=lambda i: zs[i])
        s = sum((zs[i] - zs[top]).exp() for i in range(len(zs)) if i != top)
        ln1p = s - s * s / 2 + s * s * s / 3 if s < decimal.Decimal("1e-20") else (1 + s).ln()
        return float((zs[top] - zs[label]) + ln1p)


@pytest.mark.parametrize("gap", [0.0, 1e-8, 0.5, 1.0, 10.0, 36.0, 100.0, 690.0, 700.0, 745.0,
                                 800.0, 1e3, 5e3, 1e4])
def test_cross_entropy_is_exact_from_the_logits_at_every_gap(gap):
    """The right answer ahead by `gap` (costs down to e^−690 ≈ 10⁻³⁰⁰) and behind by it (costs
    up to 10⁴), in the trace's and the trainer's path, against a decimal reference."""
    rng = np.random.default_rng(int(gap) + 1)
    for z in (np.array([0.0, gap, 0.0, -3.0]), np.array([1.5, 1.5 + gap, -gap, 0.25]),
              rng.standard_normal(10) * 2 + np.where(np.arange(10) == 4, gap, 0.0)):
        top = int(np.argmax(z))
        for label in {top, 0, len(z) - 1}:
            want = _reference_cost(z, label)
            Y = one_hot([label], len(z))
            got = CROSS_ENTROPY.value_from_z(z[None, :], Y, SIGMOID)[0]
            if want == 0:  # below the smallest float: e^−gap underflows for the truth too
                assert got == 0
            else:
                # relative to 1e-12 down to 1e-300; below, subnormal floats hold fewer digits
                assert got == pytest.approx(want, rel=1e-12, abs=1e-306), (gap, label)
            assert np.isfinite(got)
            mean_cost, _ = CROSS_ENTROPY.batch_cost_and_delta(
                z[None, :].astype(np.float32), np.array([label]), SIGMOID)
            assert np.isfinite(mean_cost)
            assert mean_cost == pytest.approx(_reference_cost(z.astype(np.float32), label),
                                              rel=1e-12, abs=1e-300)


def test_saturated_softmax_costs_the_gap_not_a_clamp():
    """A logit gap of 700 costs 700 (not −ln 1e-300 = 690.8), of 800 costs 800 (not −ln 0)."""
    for gap in (700.0, 800.0):
        Y = one_hot([0], 3)
        assert CROSS_ENTROPY.value_from_z(np.array([[0.0, gap, 0.0]]), Y, SIGMOID)[0] == \
            pytest.approx(gap, rel=1e-15)
    mean_cost, _ = CROSS_ENTROPY.batch_cost_and_delta(
        np.array([[0.0, 200.0, 0.0]], dtype=np.float32), np.array([0]), SIGMOID)
    assert mean_cost == pytest.approx(200.0, rel=1e-12)


def test_grad_a_from_the_logits_is_minus_e_to_the_cost_and_finite():
    Y = one_hot([0], 3)
    for gap, want in ((1.0, -(1 + np.e + 1)), (700.0, -np.exp(700.0))):
        ga = CROSS_ENTROPY.grad_a_from_z(np.array([0.0, gap, 0.0]), Y[0], SIGMOID)
        assert ga[0] == pytest.approx(want, rel=1e-12) and list(ga[1:]) == [0.0, 0.0]
    ga = CROSS_ENTROPY.grad_a_from_z(np.array([0.0, 800.0, 0.0]), Y[0], SIGMOID)
    assert ga[0] == -np.finfo(np.float64).max  # held at the largest float: −e^800 overflows


def test_softmax_rows_add_up_to_one_in_place_or_not():
    Z = np.random.default_rng(2).standard_normal((3, 7)) * 50
    expected = softmax(Z)
    np.testing.assert_allclose(expected.sum(axis=1), 1.0)
    out = Z.copy()
    assert softmax(out, out=out) is out
    np.testing.assert_array_equal(out, expected)


def test_records_say_what_names_would():
    assert (MSE.softmax_output, CROSS_ENTROPY.softmax_output) == (False, True)
    assert get_cost("mse") is MSE and get_cost(CROSS_ENTROPY) is CROSS_ENTROPY
    with pytest.raises(ValueError, match="unknown cost"):
        get_cost("hinge")


def test_trace_trainer_and_evaluation_give_the_true_cost_of_a_saturated_network():
    """A network whose logits differ by 700 for the wrong answer: the trace, Network.evaluate,
    the trainer's batch cost and Trainer.evaluate (float32) all say C ≈ 700, none inf or 69.08."""
    from mlpviz.core.network import Network
    from mlpviz.core.training import Trainer

    net = Network([4, 3], "sigmoid", "cross_entropy", seed=0)
    net.weights[0][:] = 0
    net.biases[0][:] = [0.0, 700.0, 0.0]
    X, labels = np.ones((5, 4)), np.zeros(5, dtype=np.intp)
    assert net.backprop(X[0], 0).cost == pytest.approx(700.0, rel=1e-15)
    assert net.evaluate(X, labels)[0] == pytest.approx(700.0, rel=1e-15)
    trainer = Trainer(net, X, labels, X, labels, lr=1e-9, batch_size=5)
    assert trainer.evaluate(X, labels)[0] == pytest.approx(700.0, rel=1e-6)
    assert trainer.step().cost == pytest.approx(700.0, rel=1e-6)
