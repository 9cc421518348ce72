"""core/sgd_demo (lesson point 17): the careful walk and the stagger are what plain numpy steps
give from the same start, on copies; the sentence's numbers are the walks' own."""

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.core.network import Network
from mlpviz.core.notation import fmt_sig
from mlpviz.core.sgd_demo import SgdDemo, demo_text, sgd_demo


def _independent(net, images, labels, batch_size, lr, steps, n_samples, seed):
    """The two walks again, from one backprop per sample (not `Network.gradient`) and each
    sample's own cost: the spec of `sgd_demo`, the same Generator draws in the same order."""
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(labels), size=n_samples, replace=False))
    X, y = images[pick] / 255.0, labels[pick].astype(int)

    def cost(w):
        return np.mean([w.backprop(x, t).cost for x, t in zip(X, y)])

    def step(w, rows):
        traces = [w.backprop(X[i], y[i]) for i in rows]
        for l in range(w.L):
            w.weights[l] -= lr * np.mean([t.grad_w[l] for t in traces], axis=0)
            w.biases[l] -= lr * np.mean([t.grad_b[l] for t in traces], axis=0)

    full, sgd = net.copy(), net.copy()
    full_costs, sgd_costs = [cost(full)], [cost(sgd)]
    batches = []
    far = steps * (n_samples // batch_size)  # the careful walk's work, in mini-batch steps
    while len(batches) < far:
        order = rng.permutation(n_samples)
        batches += [order[i:i + batch_size] for i in range(0, n_samples - batch_size + 1,
                                                            batch_size)]
    for s in range(steps):
        step(full, range(n_samples))
        full_costs.append(cost(full))
        step(sgd, batches[s])
        sgd_costs.append(cost(sgd))
    for s in range(steps, far):
        step(sgd, batches[s])
    return np.array(full_costs), np.array(sgd_costs), pick, far, cost(sgd)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("cost", sorted(COSTS))
def test_both_walks_equal_an_independent_computation(bundled, activation, cost):
    net = Network([784, 10, 10], activation=activation, cost=cost, seed=2)
    before = [w.copy() for w in net.weights]
    d = sgd_demo(net, bundled.train_images, bundled.train_labels, batch_size=16, lr=0.5,
                 steps=5, n_samples=64, seed=7)
    full, stagger, pick, far, far_cost = _independent(net, bundled.train_images,
                                                      bundled.train_labels, 16, 0.5, 5, 64, 7)
    np.testing.assert_array_equal(d.indices, pick)
    np.testing.assert_allclose(d.full_costs, full, rtol=1e-10)
    np.testing.assert_allclose(d.sgd_costs, stagger, rtol=1e-10)
    assert d.far_steps == far == 20  # 5 careful steps of 64 = 20 mini-batch steps of 16
    # 20 steps of rounding differences (batched against per-sample sums) grow on a walk that
    # climbs (tanh/mse at η = 0.5 goes to C ≈ 6): 1e-8 relative there
    np.testing.assert_allclose(d.far_cost, far_cost, rtol=1e-7)
    assert d.steps == 5 and d.n_samples == 64 and d.batch_size == 16
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, before))  # copies only
    assert not np.array_equal(d.full_costs, d.sgd_costs)


def _numbers(d: SgdDemo, costs) -> str:
    return f"C went from {fmt_sig(costs[0], 3)} to {fmt_sig(costs[-1], 3)}"


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("cost", sorted(COSTS))
@pytest.mark.parametrize("sizes", [[784, 16, 10], [784, 16, 16, 16, 10]])
def test_the_sentence_states_the_walks_numbers(bundled, activation, cost, sizes):
    d = sgd_demo(Network(sizes, activation=activation, cost=cost, seed=1), bundled.train_images,
                 bundled.train_labels, batch_size=25, lr=1.0, steps=8, n_samples=200)
    text = demo_text(d)
    assert _numbers(d, d.full_costs) in text and _numbers(d, d.sgd_costs) in text
    rises = int(np.count_nonzero(np.diff(d.sgd_costs) > 0))
    assert (f"uphill on {rises} of its 8 steps" if rises else "never uphill on these 8 steps") \
        in text
    assert "1,600 backprops" in text and "200 backprops" in text and "8 times less work" in text
    assert d.far_steps == 64 and (
        f"Given the careful walk's work (1,600 backprops), the stagger takes 64 steps and "
        f"reaches C = {fmt_sig(d.far_cost, 3)} (the careful walk: {fmt_sig(d.full_costs[-1], 3)})"
        in text)
    assert "NaN" not in text and "∞" not in text


def test_the_far_walk_is_capped_and_says_how_much_work_it_had(bundled):
    d = sgd_demo(Network([784, 8, 10], seed=0), bundled.train_images, bundled.train_labels,
                 batch_size=1, lr=1.0, steps=4, n_samples=2000)
    assert d.far_steps == 2000 and "2,000 times less work" in demo_text(d)
    assert "Given 25 % of the careful walk's work (2,000 backprops), the stagger takes 2,000 " \
        "steps" in demo_text(d)


def test_a_walk_that_blows_up_says_so_without_nan(bundled):
    d = SgdDemo(np.array([2.0, 5.0, np.nan, np.nan]), np.array([2.0, 1.5, 1.7, 1.2]),
                np.arange(100), 10, 1e6)
    assert d.finite_steps(d.full_costs) == 1 and d.finite_steps(d.sgd_costs) == 3
    text = demo_text(d)
    assert "stopped being a finite number at step 2" in text and "NaN" not in text
    assert "uphill on 1 of its 3 steps" in text


def test_a_batch_as_big_as_the_set_is_the_careful_walk(bundled):
    net = Network([784, 8, 10], seed=0)
    d = sgd_demo(net, bundled.train_images, bundled.train_labels, batch_size=500, lr=1.0,
                 steps=3, n_samples=100)
    np.testing.assert_allclose(d.full_costs, d.sgd_costs, rtol=1e-12)
    assert d.batch_size == 100 and d.asked == 500
    assert "A mini-batch of 500 would take in all 100 here, so the stagger is the same walk" \
        in demo_text(d)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_a_learning_rate_that_blows_the_walks_up_gives_words_not_errors(bundled, activation):
    d = sgd_demo(Network([784, 16, 10], activation=activation, seed=0), bundled.train_images,
                 bundled.train_labels, batch_size=10, lr=1e150, steps=6, n_samples=100)
    text = demo_text(d)
    assert "NaN" not in text and "∞" not in text and "inf" not in text
    for costs in (d.full_costs, d.sgd_costs):
        done = d.finite_steps(costs)
        assert np.all(np.isfinite(costs[:done + 1])) and np.all(np.isnan(costs[done + 1:]))
        if done < 6:
            assert f"stopped being a finite number at step {done + 1}" in text
