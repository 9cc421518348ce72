"""The float32 mini-batch trainer: it learns, it is reproducible, it is the same math as the
float64 network, settings apply at once, divergence is caught, bad data is refused."""

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS, CROSS_ENTROPY, MSE
from mlpviz.core.network import Network
from mlpviz.core.training import (
    BatchReport, EpochReport, Trainer, TrainingDiverged, default_lr, single_blas_thread,
)

SIZES = [784, 16, 16, 10]


def _trainer(ds, net=None, **kw):
    net = net if net is not None else Network(SIZES, seed=0)
    return Trainer(net, ds.train_images, ds.train_labels, ds.test_images, ds.test_labels, **kw)


def test_default_network_learns_the_bundled_digits(bundled):
    trainer = _trainer(bundled)
    with single_blas_thread():
        epochs = [r for r in trainer.run(10) if isinstance(r, EpochReport)]
    assert [e.epoch for e in epochs] == list(range(1, 11))
    assert epochs[-1].test_accuracy >= 0.90
    assert epochs[-1].train_cost < epochs[0].train_cost
    # The float32 evaluation agrees with the synced float64 network.
    net = trainer.sync()
    cost, acc, _ = net.evaluate(bundled.test_images / 255.0, bundled.test_labels)
    assert acc == pytest.approx(epochs[-1].test_accuracy, abs=0.002)
    assert cost == pytest.approx(epochs[-1].test_cost, rel=1e-3)


def test_run_yields_batches_then_an_epoch(bundled):
    reports = list(_trainer(bundled, batch_size=1000).run(1))
    assert [type(r) for r in reports] == [BatchReport] * 8 + [EpochReport]
    assert [r.batch for r in reports[:-1]] == list(range(1, 9))
    assert reports[-2].samples_seen == 8000


def test_same_seed_identical_run_bit_for_bit(bundled):
    runs = []
    for _ in range(2):
        trainer = _trainer(bundled, seed=5)
        reports = list(trainer.run(2))
        runs.append((trainer.W, trainer.b, [r.cost for r in reports if isinstance(r, BatchReport)]))
    (W1, b1, c1), (W2, b2, c2) = runs
    assert c1 == c2
    for a, b in zip(W1 + b1, W2 + b2):
        np.testing.assert_array_equal(a, b)


def test_different_seed_different_order(bundled):
    costs = [[r.cost for r in _trainer(bundled, seed=s).run(1) if isinstance(r, BatchReport)]
             for s in (1, 2)]
    assert costs[0] != costs[1]


def _small_problem(activation, cost, seed, uint8):
    """A small random network (seeded) and a batch of 40 samples: uint8 pixels 0…255, or float32
    pixels 0…1; returns (net, images, labels, the pixels as float64 0…1)."""
    rng = np.random.default_rng(seed)
    net = Network([30, 9, 7, 5], activation, cost, seed=seed)
    labels = rng.integers(0, 5, size=40)
    if uint8:
        images = rng.integers(0, 256, size=(40, 30), dtype=np.uint8)
        return net, images, labels, images / 255.0
    images = rng.random((40, 30), dtype=np.float32)
    return net, images, labels, images.astype(np.float64)


@pytest.mark.parametrize("uint8", [True, False], ids=["uint8", "float32"])
@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_trainer_step_is_the_float64_gradient_step(activation, cost, uint8):
    """Trainer._sgd_step (float32, in place, η/n and 1/255 folded in) against Network.gradient
    (float64): W_after = W_before − η ∂C/∂W to float32 precision, for every activation × cost."""
    net, images, labels, pixels = _small_problem(activation, cost, seed=7, uint8=uint8)
    lr = 0.4
    trainer = Trainer(net, images, labels, lr=lr, batch_size=len(labels))
    # The reference starts from the trainer's float32 parameters, so only the step is compared.
    before = Network.from_parameters(net.sizes, net.act, net.cost_fn, trainer.W, trainer.b)
    grad_w, grad_b, mean_cost = before.gradient(pixels, labels)

    report = trainer.step()
    assert report.cost == pytest.approx(mean_cost, rel=1e-5)
    for l in range(net.L):
        for after, old, grad in ((trainer.W[l], before.weights[l], grad_w[l]),
                                 (trainer.b[l], before.biases[l], grad_b[l])):
            step = lr * grad
            assert np.abs(step).max() > 1e-4  # the step is far above the tolerance below
            np.testing.assert_allclose(after, old - step, rtol=1e-6, atol=1e-6)


def test_trainer_step_on_the_default_network(bundled):
    images, labels = bundled.train_images[:100], bundled.train_labels[:100]
    net = Network(SIZES, seed=4)
    reference = net.copy()
    lr = 0.7
    grad_w, grad_b, mean_cost = reference.gradient(images / 255.0, labels)
    reference.apply_step(grad_w, grad_b, lr)

    trainer = Trainer(net, images, labels, lr=lr, batch_size=100)
    report = trainer.step()
    trainer.sync()
    assert report.cost == pytest.approx(mean_cost, rel=1e-5)
    for l in range(net.L):
        np.testing.assert_allclose(net.weights[l], reference.weights[l], rtol=1e-4, atol=2e-6)
        np.testing.assert_allclose(net.biases[l], reference.biases[l], rtol=1e-4, atol=2e-6)


def test_float_images_are_used_as_they_are(bundled):
    images, labels = bundled.train_images[:100], bundled.train_labels[:100]
    a = Trainer(Network(SIZES, seed=0), images, labels, batch_size=100)
    b = Trainer(Network(SIZES, seed=0), images.astype(np.float32) / 255, labels, batch_size=100)
    assert a.step().cost == pytest.approx(b.step().cost, rel=1e-5)


def test_default_learning_rate(bundled):
    assert _trainer(bundled).lr == default_lr("mse") == default_lr(MSE) == 3.0
    for activation in ACTIVATIONS.values():
        for cost in (MSE, CROSS_ENTROPY):
            net = Network(SIZES, activation.name, cost.name)
            want = activation.default_lr(cost.name, 2)
            assert _trainer(bundled, net=net).lr == default_lr(cost, activation) == want > 0


def test_learning_rate_change_applies_from_the_next_batch(bundled):
    images, labels = bundled.train_images[:100], bundled.train_labels[:100]
    moves = []
    for lr in (0.5, 1.0):
        trainer = Trainer(Network(SIZES, seed=0), images, labels, lr=3.0, batch_size=100)
        W0 = trainer.W[2].copy()
        trainer.lr = lr
        assert trainer.step().lr == lr
        moves.append(trainer.W[2] - W0)
    np.testing.assert_allclose(moves[1], 2 * moves[0], rtol=1e-3, atol=1e-7)


def test_batch_size_change_applies_from_the_next_batch(bundled):
    trainer = _trainer(bundled, batch_size=100)
    first = trainer.step()
    assert (first.batch_size, first.batches_per_epoch) == (100, 80)
    trainer.batch_size = 250
    second = trainer.step()
    assert second.batch_size == 250
    assert second.samples_seen == 350
    assert second.batches_per_epoch == 2 + -(-(8000 - 350) // 250)


def test_diverging_learning_rate_raises_and_keeps_the_weights(bundled):
    trainer = _trainer(bundled, net=Network(SIZES, activation="relu", seed=0), lr=1e4)
    for _ in range(100):
        W, b = [w.copy() for w in trainer.W], [v.copy() for v in trainer.b]
        seen = trainer.samples_seen
        try:
            trainer.step()
        except TrainingDiverged as e:
            assert "learning rate" in str(e)
            break
    else:
        pytest.fail("a learning rate of 10,000 did not diverge within 100 batches")
    for a, b_ in zip(W + b, trainer.W + trainer.b):
        np.testing.assert_array_equal(a, b_)
    assert trainer.samples_seen == seen
    net = trainer.sync()
    assert all(np.isfinite(w).all() for w in net.weights)


@pytest.mark.parametrize("images,labels,match", [
    (np.zeros((10, 783), np.uint8), np.zeros(10, int), "784 inputs"),
    (np.zeros((10, 28, 28), np.uint8), np.zeros(10, int), "784 inputs"),
    (np.zeros((10, 784), np.uint8), np.zeros(9, int), "labels"),
    (np.zeros((10, 784), np.uint8), np.full(10, 10), "10 outputs"),
    (np.zeros((0, 784), np.uint8), np.zeros(0, int), "no training samples"),
])
def test_bad_training_data_is_rejected(images, labels, match):
    with pytest.raises(ValueError, match=match):
        Trainer(Network(SIZES), images, labels)


def test_bad_held_out_data_is_rejected(bundled):
    with pytest.raises(ValueError, match="held-out"):
        Trainer(Network(SIZES), bundled.train_images, bundled.train_labels,
                bundled.test_images[:, :100], bundled.test_labels)


def test_a_step_that_would_overflow_float32_is_refused_even_with_a_finite_cost(bundled):
    """Sigmoid + mse keeps the cost finite whatever the weights, so the cost alone cannot tell;
    the bound on the weight change (from the small Δ and activations) does."""
    trainer = _trainer(bundled, lr=1e37)
    W, b = [w.copy() for w in trainer.W], [v.copy() for v in trainer.b]
    with pytest.raises(TrainingDiverged, match="overflowed"):
        trainer.step()
    for a, b_ in zip(W + b, trainer.W + trainer.b):
        np.testing.assert_array_equal(a, b_)
    assert all(np.isfinite(w).all() for w in trainer.W)
