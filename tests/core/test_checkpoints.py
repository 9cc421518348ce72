"""Replay checkpoints (core.checkpoints) and pins (core.pins): bounded, log-spaced, exact, and
round-tripped through plain arrays bit for bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlpviz.core import Network, Snapshot
from mlpviz.core.checkpoints import (CAPACITY, Checkpoints, CheckpointLog, capacity_for)
from mlpviz.core.pins import MAX_PINS, Pin, Pins, pin_series, pin_values


def _snapshots(n, sizes=(6, 4, 3), seed=0):
    """n different snapshots (each its own random parameters) of a network of `sizes`."""
    return [Snapshot.of(Network(sizes, seed=seed + i), epoch=i, batch=i % 7, samples_seen=10 * i)
            for i in range(n)]


@given(capacity=st.integers(3, 70), steps=st.lists(st.integers(1, 500), min_size=1,
                                                   max_size=400))
@settings(max_examples=60, deadline=None)
def test_the_log_stays_within_its_budget_keeps_the_start_and_the_newest(capacity, steps):
    log = CheckpointLog(capacity)
    snap = _snapshots(1)[0]
    t = 0
    log.offer(0, snap)
    for dt in steps:
        t += dt
        log.offer(t, snap)
        assert len(log) <= capacity
    batches = log.record().batches
    assert batches[0] == 0 and batches[-1] == t
    assert list(batches) == sorted(set(batches))


def test_a_long_run_is_log_spaced_dense_early_and_sparse_late():
    log = CheckpointLog(64)
    snap = _snapshots(1)[0]
    for t in range(20_000):
        log.offer(t, snap)
    b = np.array(log.record().batches, dtype=float)
    assert len(b) == 64
    gaps = np.diff(np.log1p(b))[1:-1]  # the first gap (0 → 1) and the newest are special
    # evenly spread in log time: no gap more than four times the typical one
    assert gaps.max() < 4 * np.median(gaps)
    # half of the checkpoints fall in the first tenth of the run's log time…
    assert np.sum(b < 20_000 ** 0.5) >= 20
    # …and a linear spacing would have put at most one there
    assert np.sum(b < 20_000 / 64) >= 10


def test_a_snapshot_at_the_same_count_replaces_the_newest_and_an_older_count_is_ignored():
    a, b, c = _snapshots(3)
    log = CheckpointLog(8)
    log.offer(5, a)
    log.offer(5, b)  # a stepper step changes the weights without a batch
    log.offer(3, c)  # older than the newest: ignored
    record = log.record()
    assert record.batches == (5,) and record.snapshots[0] is b


def test_the_record_is_immutable_and_cached_until_the_next_offer():
    a, b = _snapshots(2)
    log = CheckpointLog(8)
    log.offer(0, a)
    first = log.record()
    assert log.record() is first
    log.offer(1, b)
    assert log.record() is not first and first.batches == (0,)
    with pytest.raises(AttributeError):
        first.batches = ()


def test_index_at_finds_the_last_checkpoint_at_or_before():
    record = Checkpoints((0, 10, 100), tuple(_snapshots(3)))
    assert [record.index_at(t) for t in (0, 9, 10, 99, 100, 10**6, -5)] == [0, 0, 1, 1, 2, 2, 0]


def test_capacity_shrinks_for_large_networks_only():
    assert capacity_for([784, 16, 16, 10]) == CAPACITY
    big = [784, 2000, 2000, 10]
    assert capacity_for(big) < CAPACITY
    n = sum((a + 1) * b for a, b in zip(big[:-1], big[1:]))
    assert capacity_for(big) * 8 * n <= 32 * 2**20 or capacity_for(big) == 4


def test_checkpoints_round_trip_through_plain_arrays_bit_for_bit():
    snaps = _snapshots(5, sizes=(6, 5, 4, 3))
    record = Checkpoints((0, 1, 4, 9, 30), tuple(snaps))
    arrays = record.to_arrays()
    assert all(isinstance(v, np.ndarray) for v in arrays.values())
    back = Checkpoints.from_arrays(arrays, (6, 5, 4, 3), "sigmoid", "mse")
    assert back.batches == record.batches
    for s, t in zip(record.snapshots, back.snapshots):
        assert (s.epoch, s.batch, s.samples_seen) == (t.epoch, t.batch, t.samples_seen)
        for x, y in zip((*s.weights, *s.biases), (*t.weights, *t.biases)):
            assert x.tobytes() == y.tobytes() and not y.flags.writeable
    empty = Checkpoints.from_arrays(Checkpoints().to_arrays(), (6, 5, 3), "sigmoid", "mse")
    assert len(empty) == 0


def test_checkpoint_arrays_that_do_not_fit_are_refused():
    arrays = Checkpoints((0, 1), tuple(_snapshots(2))).to_arrays()
    with pytest.raises(ValueError, match="layer 0"):
        Checkpoints.from_arrays(arrays, (7, 4, 3), "sigmoid", "mse")
    arrays["batches"] = np.array([3, 3])
    with pytest.raises(ValueError, match="increase"):
        Checkpoints.from_arrays(arrays, (6, 4, 3), "sigmoid", "mse")


# -- pins ------------------------------------------------------------------------------------------
def test_a_pinned_weight_follows_the_checkpoint_values_and_their_gradient():
    snaps = _snapshots(4)
    record = Checkpoints((0, 2, 8, 50), tuple(snaps))
    rng = np.random.default_rng(1)
    x, label = rng.random(6), 2
    pins = [Pin("weight", 1, 2, 3), Pin("neuron", 1, 0)]
    xs, values = pin_series(record, pins, x, label)
    assert xs.tolist() == [0, 2, 8, 50]
    for i, snap in enumerate(snaps):
        trace = snap.network().backprop(x, label)
        assert values[i, 0, 0] == snap.weights[1][2, 3]
        assert values[i, 0, 1] == trace.grad_w[1][2, 3]
        assert values[i, 1, 0] == trace.a[1][0]
        assert values[i, 1, 1] == trace.grad_a[1][0]


def test_pin_series_cache_gives_the_same_numbers_and_forgets_thinned_checkpoints():
    snaps = _snapshots(3)
    x = np.linspace(0, 1, 6)
    pins = [Pin("weight", 0, 1, 1)]
    cache = {}
    first = pin_series(Checkpoints((0, 1, 2), tuple(snaps)), pins, x, 0, cache)
    again = pin_series(Checkpoints((0, 2), (snaps[0], snaps[2])), pins, x, 0, cache)
    assert np.array_equal(again[1], first[1][[0, 2]])
    assert len(cache) == 2


def test_without_a_label_there_is_no_gradient_and_without_an_input_no_activation():
    snap = _snapshots(1)[0]
    pins = [Pin("weight", 0, 0, 0), Pin("neuron", 2, 1)]
    v = pin_values(snap, pins, np.ones(6), None)
    assert np.isnan(v[:, 1]).all() and np.isfinite(v[:, 0]).all()
    v = pin_values(snap, pins, None, None)
    assert np.isfinite(v[0, 0]) and np.isnan(v[1]).all()


def test_pins_round_trip_keep_their_order_and_refuse_what_the_network_lacks():
    pins = Pins().added(Pin("neuron", 2, 1)).added(Pin("weight", 0, 3, 5))
    assert pins.added(Pin("neuron", 2, 1)) == pins
    back = Pins.from_arrays(pins.to_arrays(), (6, 4, 3))
    assert back == pins
    assert Pins.from_arrays(Pins().to_arrays()) == Pins()
    with pytest.raises(ValueError, match="no weight"):
        Pins.from_arrays(pins.to_arrays(), (5, 4, 3))
    with pytest.raises(ValueError, match="neither"):
        Pins.from_arrays({"pins": np.array([[7, 0, 0, 0]])})


def test_pins_keep_the_newest_within_the_budget_and_name_themselves():
    pins = Pins()
    for j in range(MAX_PINS + 2):
        pins = pins.added(Pin("neuron", 1, j))
    assert len(pins.pins) == MAX_PINS and pins.pins[-1].j == MAX_PINS + 1
    assert Pin("weight", 1, 2, 14).name() == "w₂,₁₄⁽²⁾"
    assert Pin("neuron", 2, 3).name() == "a₃⁽²⁾"
    assert Pin("neuron", 0, 3).problem((6, 4, 3))  # the input layer is not a neuron to follow
    assert Pin("weight", 1, 2, 3).problem((6, 4, 3)) is None


def test_the_trainer_offers_every_batch_at_first_then_every_five_per_cent():
    from mlpviz.core.checkpoints import next_due

    due, offers = 1, []
    while due <= 16_000:  # 200 epochs of 80 batches
        offers.append(due)
        due = next_due(due)
    assert offers[:20] == list(range(1, 21))
    assert all(b / a <= 1.05 + 1 / a for a, b in zip(offers, offers[1:]))
    assert CAPACITY < len(offers) < 200  # more than the log keeps, yet a few a second at most


def test_restore_holds_a_records_checkpoints_thinned_to_the_capacity():
    snaps = _snapshots(6)
    log = CheckpointLog(4)
    log.offer(0, snaps[5])
    log.restore(Checkpoints((0, 1, 2, 5, 10, 40), tuple(snaps)))
    record = log.record()
    assert len(record) == 4 and record.batches[0] == 0 and record.batches[-1] == 40
    assert record.snapshots[0] is snaps[0] and record.snapshots[-1] is snaps[5]
