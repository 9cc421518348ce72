"""core.compare.side_by_side: the compare panel lists exactly the entries that differ on one
stage, theirs beside ours, and one sentence that is true for the comparison."""

import numpy as np
import pytest

from mlpviz.core.compare import compare_trace
from mlpviz.core.compare.side_by_side import side_by_side, summary
from mlpviz.core.network import Network
from mlpviz.core.notation import fmt_sig
from mlpviz.core.trace_export import trace_arrays


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_planted_difference_is_the_only_row(seed):
    rng = np.random.default_rng(seed)
    net = Network([784, 8, 6, 10], "sigmoid", "mse", seed)
    theirs = trace_arrays(net.backprop(rng.random(784), int(rng.integers(10))))
    j, k = int(rng.integers(10)), int(rng.integers(6))
    ours_value = theirs["grad_W2"][j, k]
    theirs["grad_W2"] = theirs["grad_W2"].copy()
    theirs["grad_W2"][j, k] += 1.0
    result = compare_trace(theirs)
    assert result.first_stage == "lever-weights"
    rows, left_out = side_by_side(result, "lever-weights")
    assert rows == [(result.diff("grad_W2").symbol, f"[{j}, {k}]", fmt_sig(ours_value, 6),
                     fmt_sig(ours_value + 1.0, 6))] and left_out == 0
    assert side_by_side(result, "lever-bias") == ([], 0)
    assert "first differ at" in summary(result)


def test_rows_are_limited_and_the_rest_counted():
    net = Network([784, 8, 10], "sigmoid", "mse", 3)
    theirs = trace_arrays(net.backprop(np.full(784, 0.5), 2))
    theirs["grad_W1"] = theirs["grad_W1"] * 3 + 1  # every entry differs
    rows, left_out = side_by_side(compare_trace(theirs), "lever-weights", limit=5)
    assert len(rows) == 5 and left_out == 80 - 5


def test_agreement_is_said():
    net = Network([784, 8, 10], "tanh", "cross_entropy", 4)
    result = compare_trace(trace_arrays(net.backprop(np.full(784, 0.25), 7)))
    assert result.agrees and summary(result).startswith("Their numbers agree with ours")
    assert side_by_side(result, result.first_stage) == ([], 0)
