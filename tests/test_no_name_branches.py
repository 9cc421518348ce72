"""House rule: no module outside core/costs.py and core/activations.py branches on a cost's or an
activation's name (`== "cross_entropy"`, `!= "sigmoid"`, `in ("relu", …)`, a dict keyed by names):
they ask the record (`cost.softmax_output`, `act.symbol`, `act.brightness` …)."""

import ast
from pathlib import Path

import pytest

import mlpviz
from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS

PACKAGE = Path(mlpviz.__file__).parent
OWNERS = {PACKAGE / "core" / "costs.py", PACKAGE / "core" / "activations.py"}
NAMES = set(ACTIVATIONS) | set(COSTS)


def _names_in(node: ast.AST) -> set[str]:
    """The activation/cost names among the string constants directly in `node` (or its tuple,
    list or set)."""
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return {i.value for i in items if isinstance(i, ast.Constant) and i.value in NAMES}


def name_branches(source: str) -> list[tuple[int, str]]:
    """(line, the name) for each comparison with a name and each dict keyed by names."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                found += [(node.lineno, n) for n in _names_in(side)]
        elif isinstance(node, ast.Dict):
            found += [(node.lineno, n) for k in node.keys if k is not None for n in _names_in(k)]
        elif isinstance(node, ast.MatchValue):
            found += [(node.lineno, n) for n in _names_in(node.value)]
    return found


def test_the_checker_finds_what_it_should():
    src = ('if net.cost == "cross_entropy": pass\n'
           'x = act in ("relu", "tanh")\n'
           'S = {"sigmoid": 1}\n'
           'ok = net.cost_fn.softmax_output\n'
           'match name:\n    case "mse": pass\n')
    assert sorted(name_branches(src))[-1] == (6, "mse")
    assert sorted(name_branches(src))[:-1] == [(1, "cross_entropy"), (2, "relu"), (2, "tanh"),
                                              (3, "sigmoid")]


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if p not in OWNERS),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_branches_on_a_cost_or_activation_name(path):
    found = name_branches(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name} compares names {found}: ask the Activation/Cost record"
