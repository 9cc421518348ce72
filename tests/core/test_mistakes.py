"""The confusion matrix and its cells, checked against an independent count over many networks."""

import numpy as np
import pytest

from mlpviz.core import Network, Snapshot
from mlpviz.core.mistakes import confusion


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
@pytest.mark.parametrize("seed", [0, 1])
def test_counts_and_cells_match_an_independent_count(activation, cost, seed):
    rng = np.random.default_rng(seed)
    X = rng.random((300, 20))
    y = rng.integers(0, 5, 300)
    net = Network([20, 7, 5], activation, cost, seed=seed)
    conf = confusion(Snapshot.of(net), X, y, chunk=64)
    answers = [int(np.argmax(net.forward(x))) for x in X]
    for i in range(5):
        for j in range(5):
            expected = [k for k in range(300) if y[k] == i and answers[k] == j]
            assert conf.counts[i, j] == len(expected)
            assert conf.cell(i, j).tolist() == expected
    assert conf.counts.sum() == 300
    assert conf.mistakes().tolist() == [k for k in range(300) if answers[k] != y[k]]
    assert conf.accuracy == pytest.approx(np.mean(np.array(answers) == y))


def test_top_two_answers_are_the_two_brightest_outputs():
    rng = np.random.default_rng(4)
    X = rng.random((50, 12))
    y = rng.integers(0, 4, 50)
    net = Network([12, 6, 4], "sigmoid", "cross_entropy", seed=2)
    conf = confusion(net, X, y)
    A = net.forward(X)
    for k in range(50):
        ranked = np.argsort(-A[k])
        assert (conf.first[k], conf.second[k]) == (ranked[0], ranked[1])
        assert conf.first_value[k] == pytest.approx(A[k, ranked[0]])
        assert conf.second_value[k] == pytest.approx(A[k, ranked[1]])
        assert conf.first_value[k] >= conf.second_value[k]


def test_percent_only_for_softmax_outputs():
    rng = np.random.default_rng(0)
    X, y = rng.random((10, 8)), rng.integers(0, 3, 10)
    soft = confusion(Network([8, 4, 3], "sigmoid", "cross_entropy", seed=0), X, y)
    plain = confusion(Network([8, 4, 3], "sigmoid", "mse", seed=0), X, y)
    assert "%" in soft.caption(0) and "%" not in plain.caption(0)
    assert f"it is {int(y[0])}" in plain.caption(0)


def test_no_samples_gives_an_empty_matrix():
    conf = confusion(Network([8, 4, 3], seed=0), np.zeros((0, 8)), np.zeros(0, int))
    assert conf.n == 0 and conf.counts.sum() == 0 and np.isnan(conf.accuracy)
    assert conf.mistakes().size == 0


def test_arrays_are_read_only():
    conf = confusion(Network([8, 4, 3], seed=0), np.ones((3, 8)), np.array([0, 1, 2]))
    with pytest.raises(ValueError):
        conf.counts[0, 0] = 5
