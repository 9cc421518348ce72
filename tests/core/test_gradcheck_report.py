"""The gradient check for the debugger: one weight's central difference, and the per-layer report
(the worst parameter of each layer, then the worst offenders) that the stepper shows."""

import dataclasses

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.gradcheck import (
    AGREES, DISAGREES, CheckedParameter, check_parameter, numerical_weight_gradient,
    per_layer_gradcheck,
)
from mlpviz.core.network import Network


@pytest.fixture(scope="module")
def sample(bundled):
    return bundled.test_images[0].astype(np.float64) / 255, int(bundled.test_labels[0])


@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_numerical_weight_gradient_agrees_with_backprop(sample, activation, cost):
    x, label = sample
    net = Network([784, 12, 10, 10], activation, cost, seed=3)
    t = net.backprop(x, label)
    for l, j, k in [(0, 3, 300), (1, 4, 7), (2, label, 5), (2, 1, -1), (0, 2, None)]:
        p = check_parameter(net, x, label, l, j, k)
        want = t.grad_b[l][j] if k is None or k < 0 else t.grad_w[l][j, k]
        assert p.backprop == want and p.verdict == AGREES, p
        assert numerical_weight_gradient(net, x, label, l, j, k) == p.numerical


def test_report_rows_are_each_layers_worst_then_the_worst_offenders(sample):
    x, label = sample
    net = Network([784, 16, 16, 10], seed=0)
    report = per_layer_gradcheck(net, x, label, n_offenders=4)
    assert report.ok and report.count(AGREES) == net.parameter_count
    assert [p.l for p in report.layer_rows] == [0, 1, 2] and len(report.offenders) == 4
    assert report.rows == report.layer_rows + report.offenders
    assert report.sizes == (784, 16, 16, 10) and report.worst_layers() == []
    scores = [p.score for p in report.offenders]
    assert scores == sorted(scores, reverse=True)
    t = net.backprop(x, label)
    for p in report.rows:
        assert p.backprop == (t.grad_b[p.l][p.j] if p.k < 0 else t.grad_w[p.l][p.j, p.k])
        assert report.agrees(p)


def test_report_names_the_broken_layer(sample, monkeypatch):
    x, label = sample
    net = Network([784, 16, 16, 10], seed=0)
    real = Network.backprop

    def broken(self, x, label):
        t = real(self, x, label)
        grad_b = [g.copy() for g in t.grad_b]
        grad_b[2][6] += 0.1
        return dataclasses.replace(t, grad_b=tuple(grad_b))

    monkeypatch.setattr(Network, "backprop", broken)
    report = per_layer_gradcheck(net, x, label)
    assert not report.ok and report.worst_layers() == [2]
    worst = report.layer_rows[2]
    assert (worst.l, worst.j, worst.k) == (2, 6, -1) and not report.agrees(worst)
    assert worst.verdict == DISAGREES and report.count(DISAGREES) == 1
    assert report.offenders[0] == worst
    assert isinstance(worst, CheckedParameter)
