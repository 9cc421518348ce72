"""The cost records: the trainer's in-place output and its batch step are the same math as the
general functions, and each record answers what others would otherwise ask its name."""

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
    A, labels = _outputs(cost, act, dtype)
    mean_cost, delta = cost.batch_cost_and_delta(A, labels, act)
    Y = one_hot(labels, 5, dtype=np.float64)
    A64 = A.astype(np.float64)
    assert delta.dtype == dtype
    assert mean_cost == pytest.approx(float(cost.value(A64, Y).mean()), rel=1e-5)
    np.testing.assert_allclose(delta, cost.grad_z_from_a(A64, Y, act), rtol=1e-5, atol=1e-7)


def test_saturated_float32_softmax_gives_a_large_finite_cost():
    A = softmax(np.array([[0.0, 200.0, 0.0]], dtype=np.float32))
    mean_cost, _ = CROSS_ENTROPY.batch_cost_and_delta(A, np.array([0]), SIGMOID)
    assert np.isfinite(mean_cost) and mean_cost > 60


def test_softmax_rows_add_up_to_one_in_place_or_not():
    Z = np.random.default_rng(2).standard_normal((3, 7)) * 50
    expected = softmax(Z)
    np.testing.assert_allclose(expected.sum(axis=1), 1.0)
    out = Z.copy()
    assert softmax(out, out=out) is out
    np.testing.assert_array_equal(out, expected)


def test_records_say_what_names_would():
    assert (MSE.softmax_output, CROSS_ENTROPY.softmax_output) == (False, True)
    assert (MSE.default_lr, CROSS_ENTROPY.default_lr) == (3.0, 0.5)
    assert get_cost("mse") is MSE and get_cost(CROSS_ENTROPY) is CROSS_ENTROPY
    with pytest.raises(ValueError, match="unknown cost"):
        get_cost("hinge")
