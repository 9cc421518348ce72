"""core.runs: the same start reproduces a run exactly; a run's record; what differs between runs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core.network import Network
from mlpviz.core.runs import (
    MAX_PINNED, Run, RunLog, Runs, RunSettings, RunStart, baseline_curve, difference_label,
    differences, start_digest,
)
from mlpviz.core.training import Trainer


def costs(trainer, n):
    return [trainer.step().cost for _ in range(n)]


def rerun(bundled, start: RunStart, sizes=(784, 16, 16, 10), activation="sigmoid", cost="mse",
          **kwargs):
    net = Network.from_parameters(sizes, activation, cost, start.weights, start.biases)
    return Trainer(net, bundled.train_images, bundled.train_labels, rng_state=start.rng_state,
                   **kwargs)


def test_the_same_start_reproduces_the_first_100_batch_costs_exactly(bundled):
    """100 batches of 100 cross the bundled data's first epoch (80 batches): the second
    epoch's order comes from the restored generator too."""
    first = Trainer(Network([784, 16, 16, 10], seed=3), bundled.train_images,
                    bundled.train_labels, seed=3)
    before = [W.copy() for W in first.net.weights]
    a = costs(first, 100)
    assert first.epoch == 1  # an epoch boundary was crossed
    start = first.start
    assert all(np.array_equal(W, V) for W, V in zip(start.weights, before))
    b = costs(rerun(bundled, start, seed=99), 100)  # another seed: the start's state wins
    assert a == b  # exactly, every one
    # ... and a test that can fail: the same weights with another shuffle differ.
    other = Trainer(Network.from_parameters((784, 16, 16, 10), "sigmoid", "mse", start.weights,
                                            start.biases),
                    bundled.train_images, bundled.train_labels, seed=4)
    assert costs(other, 100) != a


def test_a_start_from_edited_weights_and_a_later_epoch_is_kept(bundled):
    """A run that begins from changed parameters after the generator has moved on (an epoch
    already finished on another trainer) still reruns exactly."""
    net = Network([784, 16, 16, 10], "relu", "cross_entropy", seed=1)
    net.biases[0][:] = 0.5
    trainer = Trainer(net, bundled.train_images, bundled.train_labels, lr=0.05, batch_size=10,
                      seed=1)
    trainer.finish_epoch()  # the generator has drawn a second order
    a = costs(trainer, 100)
    start = trainer.start
    assert np.all(start.biases[0] == 0.5)
    b = costs(rerun(bundled, start, activation="relu", cost="cross_entropy", lr=0.05,
                    batch_size=10), 100)
    assert a == b


def test_a_start_is_read_only_and_its_state_a_copy(bundled):
    t = Trainer(Network([784, 8, 10], seed=0), bundled.train_images, bundled.train_labels)
    assert t.start is None
    t.step()
    start = t.start
    with pytest.raises(ValueError):
        start.weights[0][0, 0] = 1.0
    state = dict(start.rng_state)
    costs(t, 90)  # the trainer's generator moves on; the start's state does not
    assert start.rng_state == state
    assert start.digest == start_digest(start.weights, start.biases)


def settings_(**kw):
    base = dict(sizes=(784, 16, 16, 10), activation="sigmoid", cost="mse", lrs=(3.0,),
                batch_sizes=(100,), seed=0, dataset="MNIST", start="abc")
    base.update(kw)
    return RunSettings(**base)


def test_the_labels_the_issue_names():
    a = settings_()
    assert difference_label(a, settings_(lrs=(0.3,))) == "η 3 vs 0.3"
    assert difference_label(a, settings_(cost="cross_entropy")) == "mse vs cross-entropy"
    assert difference_label(a, settings_(activation="relu")) == "sigmoid vs relu"
    assert difference_label(settings_(batch_sizes=(10,)), a) == "batch 10 vs 100"
    assert (difference_label(a, settings_(lrs=(0.3,), activation="relu"))
            == "η 3 vs 0.3, sigmoid vs relu")
    assert difference_label(a, settings_(lrs=(3.0, 0.5))) == "η 3 vs 3→0.5"
    assert difference_label(a, settings_(sizes=(784, 32, 10))) == "hidden 16·16 vs 32"
    assert difference_label(a, settings_(seed=1, start="def")) == "seed 0 vs 1"
    assert difference_label(a, settings_(start="def")) == "other initial weights"
    assert difference_label(a, settings_(activation="relu", start="def")) == "sigmoid vs relu"
    assert difference_label(a, settings_()) == "same settings, same start"
    assert difference_label(a, settings_(start="")) == "same settings"


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([(784, 16, 16, 10), (784, 32, 10)]), st.sampled_from(["sigmoid", "relu"]),
       st.sampled_from(["mse", "cross_entropy"]), st.sampled_from([3.0, 0.3, 0.1]),
       st.sampled_from([10, 100]), st.integers(0, 2), st.data())
def test_a_label_names_exactly_the_settings_that_differ(sizes, act, cost, lr, batch, seed, data):
    a = settings_(sizes=sizes, activation=act, cost=cost, lrs=(lr,), batch_sizes=(batch,),
                  seed=seed, start="")
    b = settings_(sizes=data.draw(st.sampled_from([(784, 16, 16, 10), (784, 32, 10)])),
                  activation=data.draw(st.sampled_from(["sigmoid", "relu"])),
                  cost=data.draw(st.sampled_from(["mse", "cross_entropy"])),
                  lrs=(data.draw(st.sampled_from([3.0, 0.3, 0.1])),),
                  batch_sizes=(data.draw(st.sampled_from([10, 100])),),
                  seed=data.draw(st.integers(0, 2)), start="")
    found = differences(a, b)
    expected = [a.lrs != b.lrs, a.cost != b.cost, a.activation != b.activation,
                a.batch_sizes != b.batch_sizes, a.sizes != b.sizes, a.seed != b.seed]
    assert len(found) == sum(expected)
    phrases = iter(found)
    for differs, key in zip(expected, ("η", None, None, "batch", "hidden", "seed")):
        if differs:
            phrase = next(phrases)
            if key:
                assert phrase.startswith(key + " ")
            left, right = phrase.split(" vs ")
            assert left != (key or "") and right  # both sides say their value
    assert (found == []) == (a == b)


def logged_run(bundled, lr=3.0, batch=100, epochs=2, seed=0):
    t = Trainer(Network([784, 16, 16, 10], seed=seed), bundled.train_images,
                bundled.train_labels, bundled.test_images, bundled.test_labels, lr=lr,
                batch_size=batch, seed=seed)
    log = RunLog()
    for report in t.run(epochs):
        if hasattr(report, "cost"):
            log.add_batches([report])
        else:
            log.add_epoch(report)
    s = settings_(lrs=(9.0,), batch_sizes=(1,), seed=seed)
    return log.run(s, t.sync().weights[0]), log


def test_a_run_records_its_curves_and_the_settings_it_used(bundled):
    run, log = logged_run(bundled, lr=0.5, batch=100, epochs=2)
    assert run.settings.lrs == (0.5,) and run.settings.batch_sizes == (100,)
    assert run.epochs == 2 and log.batches == 160
    assert run.epoch_x.tolist() == [8000.0, 16000.0]
    assert 0 < len(run.cost) <= 1000 and run.cost_x[-1] <= 16000
    assert np.all(np.diff(run.cost_x) > 0)
    assert 0.1 < run.final_accuracy <= 1 and run.first_weights.shape == (16, 784)
    with pytest.raises(ValueError):
        run.cost[0] = 0.0


def test_a_baseline_is_drawn_by_samples_seen_in_the_current_batches(bundled):
    run, _ = logged_run(bundled, batch=10, epochs=1)
    curve = baseline_curve(run, "batch 10 vs 100", 100)
    assert curve.epoch_x.tolist() == [80.0]  # 8,000 samples = 80 batches of 100
    assert np.allclose(curve.x, run.cost_x / 100)
    assert np.allclose(curve.test_accuracy, 100 * run.test_accuracy)


def test_pinned_runs_round_trip_through_plain_arrays_bit_for_bit(bundled):
    runs = Runs()
    for lr in (3.0, 0.3, 1.0):
        runs = runs.pinned(logged_run(bundled, lr=lr, epochs=1)[0])
    arrays = runs.to_arrays()
    assert all(isinstance(a, np.ndarray) and a.dtype != object for a in arrays.values())
    back = Runs.from_arrays(arrays)
    assert len(back.runs) == 3
    for r, s in zip(runs.runs, back.runs):
        assert r.settings == s.settings and r.epochs == s.epochs
        for name in Run.ARRAYS:
            assert np.array_equal(getattr(r, name), getattr(s, name), equal_nan=True)
    assert Runs.from_arrays(Runs().to_arrays()).runs == ()


def test_bad_pinned_run_arrays_are_refused_saying_what(bundled):
    arrays = Runs().pinned(logged_run(bundled, epochs=1)[0]).to_arrays()
    with pytest.raises(ValueError, match="format 2"):
        Runs.from_arrays({**arrays, "runs_format": np.array(2)})
    missing = dict(arrays)
    del missing["run0_cost"]
    with pytest.raises(ValueError, match="run0_cost"):
        Runs.from_arrays(missing)
    with pytest.raises(ValueError, match="mismatched"):
        Runs.from_arrays({**arrays, "run0_cost": np.zeros(3)})
    with pytest.raises(ValueError, match="settings"):
        Runs.from_arrays({**arrays, "runs_settings": np.array('[{"sizes": 3}]')})


def test_at_most_max_pinned_runs_and_remove(bundled):
    run = logged_run(bundled, epochs=1)[0]
    runs = Runs()
    for _ in range(MAX_PINNED):
        runs = runs.pinned(run)
    with pytest.raises(ValueError, match="remove one first"):
        runs.pinned(run)
    assert len(runs.removed(0).runs) == MAX_PINNED - 1


def test_an_epoch_is_placed_where_its_last_batch_ended_though_later_batches_came_first(bundled):
    """The worker sends batch reports in bunches, then the epochs they completed: an epoch's
    report may come after batches of the next epoch."""
    t = Trainer(Network([784, 8, 10], seed=0), bundled.train_images, bundled.train_labels,
                bundled.test_images[:100], bundled.test_labels[:100], batch_size=300)
    log, held = RunLog(), []
    for report in t.run(2):
        if hasattr(report, "cost"):
            log.add_batches([report])
        else:
            held.append(report)
        if len(held) == 1 and log.batches == 30:  # 3 batches into epoch 2: the bunch arrives
            log.add_epoch(held.pop())
    for report in held:
        log.add_epoch(report)
    run = log.run(settings_(), t.sync().weights[0])
    assert run.epoch_x.tolist() == [8000.0, 16000.0]  # 27 batches of 300 (the last of 200)


def test_a_start_round_trips_through_plain_arrays_and_still_reruns_exactly(bundled):
    first = Trainer(Network([784, 16, 10], seed=2), bundled.train_images, bundled.train_labels,
                    seed=2)
    a = costs(first, 90)
    arrays = first.start.to_arrays()
    assert all(isinstance(v, np.ndarray) and v.dtype.kind in "fU" for v in arrays.values())
    back = RunStart.from_arrays(arrays)
    assert back.digest == first.start.digest and back.rng_state == first.start.rng_state
    assert costs(rerun(bundled, back, sizes=(784, 16, 10)), 90) == a
    with pytest.raises(ValueError, match="start_b0"):
        RunStart.from_arrays({k: v for k, v in arrays.items() if k != "start_b0"})
    with pytest.raises(ValueError, match="could not be read"):
        RunStart.from_arrays({**arrays, "start_rng": np.array('{"bit_generator": "MT19937"}')})
    with pytest.raises(ValueError, match="not finite"):
        RunStart.from_arrays({**arrays, "start_b0": np.full(16, np.nan)})
