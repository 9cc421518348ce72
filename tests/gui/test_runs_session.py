"""Session.rerun: "Rerun from the same start" — the same initial weights and shuffle order."""

import numpy as np
import pytest

from mlpviz.gui.session import Session


class Costs:
    """Every mini-batch cost and every network_rebuilt a session emitted."""

    def __init__(self, session):
        self.costs, self.rebuilt, self.failures = [], [], []
        session.batches_done.connect(lambda reports: self.costs.extend(r.cost for r in reports))
        session.network_rebuilt.connect(self.rebuilt.append)
        session.failed.connect(self.failures.append)


@pytest.fixture
def session(qtbot, bundled):
    s = Session(dataset=bundled, seed=5)
    yield s
    s.shutdown()
    assert not s.thread.isRunning()


def train_batches(qtbot, session, log, n):
    """Train until at least n more batch costs arrived, then pause; the first n of them."""
    before = len(log.costs)
    session.start()
    qtbot.waitUntil(lambda: len(log.costs) >= before + n, timeout=30_000)
    session.pause()
    qtbot.waitUntil(lambda: not session.is_training, timeout=5000)
    return log.costs[before:before + n]


def test_rerun_reproduces_the_first_100_batch_costs_exactly(qtbot, session):
    """100 batches cross the bundled data's first epoch (80 batches of 100): the second epoch's
    shuffle comes back too. Training in between (an edited η is not used: it is put back) and a
    reset to other weights do not change the start."""
    log = Costs(session)
    assert session.run_start is None
    first = train_batches(qtbot, session, log, 100)
    start = session.run_start
    assert start is not None and session.snapshot.epoch >= 1
    lr = session.lr
    session.set_lr(lr / 6)  # the teacher tries something …
    train_batches(qtbot, session, log, 5)
    session.set_lr(lr)  # … and puts η back, then asks for the same start
    session.rerun()
    assert session.snapshot.epoch == 0 and session.history == []
    assert all(np.array_equal(a, b) for a, b in zip(session.snapshot.weights, start.weights))
    again = train_batches(qtbot, session, log, 100)
    assert again == first  # exactly: every cost, bit for bit
    assert session.run_start.digest == start.digest


def test_rerun_with_another_learning_rate_starts_alike_then_parts(qtbot, session):
    """The same start with η 0.3 instead of 3: the first batch (its cost is measured before the
    update) costs the same, the ones after it do not."""
    log = Costs(session)
    first = train_batches(qtbot, session, log, 3)
    assert session.lr == 3.0
    session.set_lr(0.3)
    session.rerun()
    again = train_batches(qtbot, session, log, 3)
    assert again[0] == first[0] and again[1:] != first[1:]
    assert session.run_settings().lrs == (0.3,)


def test_rerun_before_any_training_says_so_and_changes_nothing(qtbot, session):
    log = Costs(session)
    snap = session.snapshot
    session.rerun()
    assert log.failures and "train at least one mini-batch" in log.failures[-1]
    assert log.rebuilt == [] and session.snapshot is snap


def test_a_new_network_forgets_the_old_start(qtbot, session):
    log = Costs(session)
    train_batches(qtbot, session, log, 2)
    assert session.run_start is not None
    session.reset()
    assert session.run_start is None and session.run_settings().start == ""


def test_a_restored_start_stays_while_training_goes_on_and_rerun_goes_back_to_it(qtbot,
                                                                                  session):
    """A lesson file gives the run's start back: training on from the lesson's weights does
    not replace it, and a rerun starts from it, the first 20 batch costs as before."""
    log = Costs(session)
    first = train_batches(qtbot, session, log, 20)
    start = session.run_start
    session.reset()  # (a lesson opening installs its network: the start is forgotten …)
    session.restore_run_start(start)  # (… and restored from the file)
    train_batches(qtbot, session, log, 3)
    assert session.run_start is start
    session.rerun()
    assert train_batches(qtbot, session, log, 20) == first
    from mlpviz.core.run_start import RunStart
    wrong = RunStart.of(start.weights[:-1], start.biases[:-1], start.rng_state)
    with pytest.raises(ValueError):
        session.restore_run_start(wrong)
    assert session.run_start is start
