"""Architecture limits: one meaning per name, one parser for typed sizes, one check shared by the
command line, the Session and the toolbar."""

import pytest

from mlpviz.core.limits import (
    DRAWN, MAX_HIDDEN_LAYERS_DRAWN, MAX_HIDDEN_SIZE_DRAWN, MAX_HIDDEN_SIZE_TRAIN, TRAINED,
    architecture_problem, fit_problem, hidden_problem, parse_hidden,
)


def test_each_name_has_one_meaning():
    assert (MAX_HIDDEN_SIZE_TRAIN, MAX_HIDDEN_LAYERS_DRAWN, MAX_HIDDEN_SIZE_DRAWN) == (10_000, 4, 128)
    assert (TRAINED.min_layers, TRAINED.max_layers, TRAINED.max_size) == (0, None, 10_000)
    assert (DRAWN.min_layers, DRAWN.max_layers, DRAWN.max_size) == (1, 4, 128)


@pytest.mark.parametrize("text, sizes", [
    ("16,16", [16, 16]), (" 32 , 8 ", [32, 8]), ("", []), ("  ", []), ("7", [7]),
    ("99999999999999999999", [99999999999999999999]),
])
def test_parse_hidden(text, sizes):
    assert parse_hidden(text) == sizes


@pytest.mark.parametrize("text", ["16,,16", "16,", ",16", " , ", "16,abc", "0", "-3", "1.5"])
def test_parse_hidden_refuses_typos(text):
    with pytest.raises(ValueError, match="positive whole numbers separated by commas"):
        parse_hidden(text)


@pytest.mark.parametrize("hidden, trained, drawn", [
    ([16, 16], None, None),
    ([], None, "1 to 4 hidden layers, not 0"),
    ([8] * 5, None, "1 to 4 hidden layers, not 5"),
    ([129], None, "at most 128 neurons; 129"),
    ([128, 128, 128, 128], None, None),
    ([10_000], None, "at most 128 neurons"),
    ([10_001], "at most 10,000 neurons; 10,001", "at most 128 neurons"),
    ([16, 0], "at least 1", "at least 1"),
])
def test_hidden_problem_for_the_command_line_and_the_app(hidden, trained, drawn):
    for limits, expected in ((TRAINED, trained), (DRAWN, drawn)):
        problem = hidden_problem(hidden, limits)
        assert (problem is None) if expected is None else (expected in problem), (limits, problem)


def test_fit_problem_names_the_layer_and_the_data(bundled):
    assert fit_problem([784, 16, 10], bundled) is None
    assert "input layer must have 784 neurons" in fit_problem([700, 16, 10], bundled)
    assert "output layer must have 10 neurons" in fit_problem([784, 16, 9], bundled)
    assert "MNIST" in fit_problem([784, 16, 9], bundled)


@pytest.mark.parametrize("sizes, activation, cost, seed, words", [
    ([784, 16, 16, 10], "sigmoid", "mse", 0, None),
    ([784, "a", 10], "sigmoid", "mse", 0, "not whole numbers"),
    ([784], "sigmoid", "mse", 0, "an input and an output layer"),
    ([784, 16, 10], "swish", "mse", 0, "Unknown activation 'swish'"),
    ([784, 16, 10], "sigmoid", "hinge", 0, "Unknown cost 'hinge'"),
    ([784, 16, 10], "sigmoid", "mse", -1, "seed"),
    ([784, 16, 10], "sigmoid", "mse", True, "seed"),
    ([784, 200, 10], "tanh", "cross_entropy", 3, "at most 128"),
])
def test_architecture_problem(bundled, sizes, activation, cost, seed, words):
    problem = architecture_problem(sizes, activation, cost, seed, bundled)
    assert (problem is None) if words is None else (words in problem), problem


def test_the_command_line_may_train_what_the_app_does_not_draw(bundled):
    sizes = [784, 200, 100, 50, 25, 12, 10]
    assert architecture_problem(sizes, "relu", "mse", 0, bundled, TRAINED) is None
    assert "hidden layers" in architecture_problem(sizes, "relu", "mse", 0, bundled, DRAWN)
    assert architecture_problem([784, 10], "relu", "mse", 0, bundled, TRAINED) is None
