"""StepHistory.amend and .undoes: a drag's many proposals are one step for Undo, and Undo is
offered only for the network the last step produced."""

import pytest

from mlpviz.core.history import StepHistory, same_parameters
from mlpviz.core.network import Network
from tests.core.test_history import params, stepped


def test_amending_keeps_one_step_whose_undo_is_the_start_bit_for_bit():
    n0 = Network([12, 5, 3], seed=0)
    moves = [stepped(n0, s) for s in (1, 2, 3)]  # where a drag passes, θ₀ → θ₃
    h = StepHistory()
    h.show(*params(n0))
    h.step(params(n0), params(moves[0]))
    assert h.show(*params(moves[0]))
    for net in moves[1:]:
        assert same_parameters(h.amend(params(net)), params(net))
        assert h.undoes(*params(net))  # expected next: Undo would take it back
        assert h.show(*params(net))
    assert len(h) == 1
    assert same_parameters(h.undo(), params(n0))
    assert not h.can_undo


def test_undo_is_offered_only_for_the_network_its_step_made():
    n0 = Network([12, 5, 3], seed=0)
    n1, other = stepped(n0, 1), stepped(n0, 9)
    h = StepHistory()
    h.show(*params(n0))
    assert not h.undoes(*params(n0))  # nothing done yet
    h.step(params(n0), params(n1))
    assert h.undoes(*params(n1)) and not h.undoes(*params(other))
    h.show(*params(n1))
    assert h.undoes(*params(n1)) and not h.undoes(*params(n0))


def test_nothing_to_amend_is_an_error():
    with pytest.raises(ValueError):
        StepHistory().amend(params(Network([4, 3, 2], seed=0)))
