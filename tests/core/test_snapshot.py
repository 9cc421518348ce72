"""Snapshots: read-only, their own forward pass (no Network built), records, and network()
copies that the caller may change without touching the snapshot."""

import numpy as np
import pytest

from mlpviz.core import snapshot as snapshot_module
from mlpviz.core.activations import TANH
from mlpviz.core.costs import CROSS_ENTROPY
from mlpviz.core.network import Network
from mlpviz.core.snapshot import Snapshot


@pytest.fixture
def net():
    return Network([20, 6, 4], "tanh", "cross_entropy", seed=2)


@pytest.fixture
def x():
    return np.random.default_rng(3).random((5, 20))


def test_arrays_are_read_only_copies(net):
    snap = Snapshot.of(net, epoch=2)
    assert snap.epoch == 2 and snap.L == net.L == 2
    net.weights[0][0, 0] += 1
    assert snap.weights[0][0, 0] != net.weights[0][0, 0]
    with pytest.raises(ValueError):
        snap.weights[0][0, 0] = 0.0


def test_forward_pass_is_the_networks_without_building_one(net, x, monkeypatch):
    snap = Snapshot.of(net)
    monkeypatch.setattr(snapshot_module, "Network", None)  # any use of Network would fail
    for got, want in zip(snap.forward_all(x), net.forward_all(x)):
        np.testing.assert_array_equal(got, want)
    zs, acts = snap.forward_layers(x[0])
    np.testing.assert_array_equal(zs[-1], net.forward_layers(x[0])[0][-1])
    np.testing.assert_array_equal(snap.predict(x), net.predict(x))
    assert snap.evaluate(x, [0, 1, 2, 3, 0])[:2] == net.evaluate(x, [0, 1, 2, 3, 0])[:2]
    with pytest.raises(ValueError, match="20 inputs"):
        snap.forward(np.zeros(19))


def test_records(net):
    snap = Snapshot.of(net)
    assert snap.act is TANH and snap.cost_fn is CROSS_ENTROPY


def test_network_is_an_independent_writable_copy(net, x):
    snap = Snapshot.of(net)
    copy = snap.network()
    assert (copy.sizes, copy.act, copy.cost_fn) == (net.sizes, net.act, net.cost_fn)
    np.testing.assert_array_equal(copy.forward(x), snap.forward(x))
    grad_w, grad_b, _ = copy.gradient(x, [0, 1, 2, 3, 0])
    copy.apply_step(grad_w, grad_b, 0.5)
    copy.biases[0][:] = 7.0
    for W, b, W0, b0 in zip(snap.weights, snap.biases, net.weights, net.biases):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)
