"""The backpropagation walk for one sample: a list of stages, one idea each, with the real numbers.

Every number a stage shows is read from the core's `Trace` (activations, ∂C/∂a, ∂C/∂z, the wishes,
∂C/∂W, ∂C/∂b); nothing here re-derives backpropagation. The stages follow the lesson (points 8–17):

  1  the forward pass, one layer at a time           6  the same again, one layer further back
  2  the cost of this sample                         7  the whole gradient, its biggest components
  3  what the outputs want                           8  one gradient step: before and after
  4  the three levers of one output neuron           9  from one sample to a mini-batch
  5  every output's wishes, added up

Notation in the texts follows the lesson: layers 0 … L, a⁽ˡ⁾ the activations of layer l, and
w⁽ˡ⁾, b⁽ˡ⁾ the weights and biases INTO layer l — so w⁽ˡ⁾ⱼₖ is `Network.weights[l − 1][j, k]`.
Function arguments use the code's indexing: weight layer l maps neuron layer l to l + 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mlpviz.core.activations import get_activation
from mlpviz.core.costs import one_hot
from mlpviz.core.gradcheck import GradCheck, check_gradient, sample_cost
from mlpviz.core.network import Network, Trace
from mlpviz.core.notation import MINUS, fmt, fmt_fixed, param_name, parse_number, sub, sup
from mlpviz.core.overlay import Overlay

DIGITS: tuple[str, ...] = tuple("0123456789")
GRADCHECK_TOLERANCE = 1e-6  # relative error below which backprop and central differences agree
TOP_PARAMETERS = 10  # stage 7 ranks this many parameters
MAX_WEIGHT_ROWS = 12  # weight tables from the 784 pixels show only the largest ones

# --- numbers and symbols -------------------------------------------------------------------------


def _par(v: float, digits: int = 4) -> str:
    """A number inside a formula: negative ones in parentheses, so "3 × (−2)" reads right."""
    s = fmt(v, digits)
    return f"({s})" if s.startswith(MINUS) else s


def _spar(v: float, digits: int = 3) -> str:
    """A signed term of a sum: "(+0.12)", "(−0.03)"."""
    return f"({fmt(v, digits, signed=True)})"


def _count(n: int) -> str:
    return f"{n:,}"


def _lr(lr: float) -> str:
    """The learning rate as the user typed it: 3, 0.5."""
    return f"{lr:g}".replace("-", MINUS)


# --- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Stage:
    """One idea of the walk, with every number it shows.

    key         stable identifier ("forward-1", "cost", "lever-bias", "sum-2", …)
    number      the stage's number in the lesson's order (1–9); sub-stages share it
    title       short title, with its number ("4b · Lever 2: the weights")
    text        one or two plain sentences with the real numbers
    formula     the formula with its actual numbers (unicode math)
    rows        the table, already formatted (numbers through `fmt`)
    values      every number the stage shows, keyed (arrays or floats), for tests and tooltips
    overlay     what the network view emphasises
    columns     the table's header
    row_values  the exact float behind each cell of `rows` (None for text cells)
    signed      columns holding nudges (−∂C/∂·): shown green when positive, red when negative
    short       a shorter title for the list of stages
    highlight   the row the text and formula talk about (the right answer, the most-wanted neuron)
    """

    key: str
    number: int
    title: str
    text: str
    formula: str
    rows: tuple[tuple[str, ...], ...]
    values: dict
    overlay: Overlay
    columns: tuple[str, ...] = ()
    row_values: tuple[tuple[float | None, ...], ...] = ()
    signed: tuple[int, ...] = ()
    short: str = ""
    highlight: int | None = None


@dataclass(frozen=True, eq=False)
class Walk:
    """The whole walk for one (network, sample): its trace and stages, in order."""

    trace: Trace
    stages: list[Stage]
    focus: int  # the output neuron of stage 4
    lr: float
    after: Network  # the network after one gradient step (stage 8)

    def __len__(self) -> int:
        return len(self.stages)

    def index(self, key: str) -> int:
        """Position of the stage with this key; ValueError if there is none."""
        for i, s in enumerate(self.stages):
            if s.key == key:
                return i
        raise ValueError(f"no stage {key!r}")

    def stage(self, key: str) -> Stage:
        return self.stages[self.index(key)]


class _Table:
    """Rows of cells: a cell is text, a number shown through `fmt` (its float kept), or
    (number, digits)."""

    def __init__(self, *columns: str, signed: Sequence[int] = ()):
        self.columns = tuple(columns)
        self.signed = tuple(signed)
        self.rows: list[tuple[str, ...]] = []
        self.values: list[tuple[float | None, ...]] = []

    def add(self, *cells, digits: int = 4) -> None:
        texts, nums = [], []
        for c, cell in enumerate(cells):
            if isinstance(cell, str):
                texts.append(cell)
                nums.append(None)
                continue
            v, d = (float(cell[0]), cell[1]) if isinstance(cell, tuple) else (float(cell), digits)
            if isinstance(d, str):  # "f2": two fixed decimals
                texts.append(fmt_fixed(v, int(d[1:]), signed=c in self.signed))
            else:
                texts.append(fmt(v, d, signed=c in self.signed))
            nums.append(v)
        self.rows.append(tuple(texts))
        self.values.append(tuple(nums))

    def fields(self) -> dict:
        return dict(rows=tuple(self.rows), row_values=tuple(self.values), columns=self.columns,
                    signed=self.signed)


class _Context:
    """What every stage builder needs: the trace, the network's names, the class names."""

    def __init__(self, net: Network, trace: Trace, class_names, lr: float):
        self.net, self.t, self.lr = net, trace, float(lr)
        self.names = tuple(str(n) for n in class_names)
        self.L = trace.L
        self.sizes = [len(a) for a in trace.a]
        self.act = get_activation(trace.activation)
        self.softmax = trace.cost_name == "cross_entropy"
        self.f = "σ" if trace.activation == "sigmoid" else trace.activation
        self.digits = self.names == DIGITS
        self.squash = {
            "sigmoid": "squashes the sum into 0 … 1 with σ",
            "tanh": "squashes the sum into −1 … 1 with tanh",
            "relu": "keeps the sum if it is positive and gives 0 otherwise (relu)",
        }.get(trace.activation, f"passes the sum through {self.f}")

    def name(self, j: int) -> str:
        return self.names[j]

    def q(self, j: int) -> str:
        """The class in quotes, as the lesson writes it: '2'."""
        return f"'{self.names[j]}'"

    @property
    def what(self) -> str:
        return "digit" if self.digits else "class"

    def layer(self, l: int) -> str:
        if l == 0:
            return "the input layer"
        if l == self.L:
            return "the output layer"
        return f"layer {l}"

    def neuron(self, l: int, j: int) -> str:
        """ "the '2' output", "neuron 7 of layer 2", "pixel (12, 5)"."""
        if l == self.L:
            return f"the {self.q(j)} output"
        if l == 0:
            return _pixel(j, self.sizes[0])
        return f"neuron {j} of layer {l}"

    def prime(self, l: int) -> np.ndarray:
        """σ'(z⁽ˡ⁾) from the core's activation."""
        return self.act.prime(self.t.z[l])

    def out_nudges(self) -> np.ndarray:
        """What the outputs want: −∂C/∂a (mse), or −∂C/∂z = y − a (softmax + cross-entropy, where
        the outputs share one budget and only z can be nudged one at a time)."""
        L = self.L
        return -(self.t.grad_z[L] if self.softmax else self.t.grad_a[L])


def _pixel(k: int, n_inputs: int) -> str:
    side = int(round(math.sqrt(n_inputs)))
    if side * side == n_inputs:
        return f"pixel {k} (row {k // side}, col {k % side})"
    return f"input {k}"


def _only_row(shape, j: int, row: np.ndarray) -> np.ndarray:
    m = np.zeros(shape)
    m[j] = row
    return m


def _only(n: int, j: int, v: float) -> np.ndarray:
    a = np.zeros(n)
    a[j] = v
    return a


def _updown(v: float) -> str:
    return "up ▲" if v > 0 else ("down ▼" if v < 0 else "—")


# --- 1. forward --------------------------------------------------------------------------------


def _forward_input(c: _Context) -> Stage:
    x = c.t.a[0]
    n = len(x)
    lit = int(np.count_nonzero(x > 0.5))
    dark = int(np.count_nonzero(x == 0))
    tab = _Table("", "value")
    tab.add("neurons (pixels)", "784" if n == 784 else str(n))
    tab.add("lit, a > 0.5", str(lit))
    tab.add("dark, a = 0", str(dark))
    tab.add("brightest", float(x.max()))
    tab.add("mean activation", float(x.mean()))
    shape = "" if n != 784 else " (28×28 pixels, row by row)"
    return Stage(
        key="forward-0", number=1, title="1a · Forward: the input layer", short="1a · Input layer",
        text=(f"The image is the first layer: {_count(n)} neurons{shape}, each holding its pixel's "
              f"brightness from 0 (black) to 1 (white). This {c.name(c.t.label)} lights up "
              f"{lit} of them."),
        formula=f"a{sup(0)} = x   ({_count(n)} numbers in 0 … 1)",
        values={"a": x, "lit": lit, "dark": dark},
        overlay=Overlay(lit_layers=1, caption="Forward pass: the input layer"),
        **tab.fields(),
    )


def _forward_layer(c: _Context, l: int) -> Stage:
    t = c.t
    W, b = t.W[l - 1], t.b[l - 1]
    s = W @ t.a[l - 1]
    z, a = t.z[l], t.a[l]
    out = l == c.L
    j = int(np.argmax(a))
    softmax = out and c.softmax
    fa = "softmax" if softmax else c.f
    tab = _Table(c.what if out else "neuron", "Σₖ wⱼₖ aₖ", "bias bⱼ", "z = Σ + b", f"a = {fa}(z)")
    for i in range(len(a)):
        tab.add(c.name(i) if out else str(i), s[i], b[i], z[i], a[i])
    n_prev = c.sizes[l - 1]
    formula = (f"a{sup(l)} = {fa}(W{sup(l)} a{sup(l - 1)} + b{sup(l)}),   W{sup(l)}: "
               f"{len(a)} × {_count(n_prev)}, one row of weights per neuron\n"
               f"z{sub(j)}{sup(l)} = Σₖ w{sub(j)}ₖ aₖ + b{sub(j)} = {fmt(s[j])} + {_par(b[j])} "
               f"= {fmt(z[j])}")
    if softmax:
        formula += (f"\na{sub(j)}{sup(l)} = e^z{sub(j)} / Σᵢ e^zᵢ = {fmt(a[j])}   "
                    f"(the {len(a)} outputs add up to 1)")
    else:
        formula += f",   a{sub(j)}{sup(l)} = {c.f}({_par(z[j])}) = {fmt(a[j])}"
    if out:
        p, y = t.prediction, t.label
        verdict = (f"The network's answer is the brightest output: {c.name(p)} ({a[p]:.2f})."
                   + (" That is right." if p == y else
                      f" The right answer, {c.name(y)}, gets only {a[y]:.2f}."))
        how = ("The output layer works the same way"
               + (", then a softmax turns the ten sums into shares that add up to 1. " if softmax
                  else ". "))
        text = how + verdict
        title = f"1{chr(ord('a') + l)} · Forward: the output layer"
        short = f"1{chr(ord('a') + l)} · Output layer"
    else:
        text = (f"Each neuron of layer {l} takes all {_count(n_prev)} activations of "
                f"{c.layer(l - 1)}, each times its weight, adds its bias (a threshold: how high "
                f"the sum must be before the neuron becomes active) and {c.squash}. "
                f"The brightest is neuron {j}: {fmt(s[j], 3)} plus bias "
                f"{fmt(b[j], 3)} gives z = {fmt(z[j], 3)}, and {c.f}(z) = {fmt(a[j], 3)}.")
        title = f"1{chr(ord('a') + l)} · Forward: layer {l}"
        short = f"1{chr(ord('a') + l)} · Layer {l}"
    return Stage(
        key=f"forward-{l}", number=1, title=title, short=short, highlight=j, text=text,
        formula=formula,
        values={"weighted_sum": s, "b": b, "z": z, "a": a, "focus": j},
        overlay=Overlay(lit_layers=l + 1, focus=(l, j), neuron_text={(l, j): fmt(a[j], 2)},
                        caption=f"Forward pass: {c.layer(l)}"),
        **tab.fields(),
    )


# --- 2. cost, 3. what the outputs want ----------------------------------------------------------


_NETWORK_COST = ("The cost of the whole network is this, averaged over all the training samples: "
                 "the number training drives down.")


def _cost(c: _Context) -> Stage:
    t, L = c.t, c.L
    a, y, terms, C = t.a[L], t.y, t.cost_terms, t.cost
    lab = t.label
    if c.softmax:
        tab = _Table(c.what, "aⱼ", "yⱼ", "−yⱼ ln aⱼ")
        for j in range(len(a)):
            tab.add(c.name(j), a[j], y[j], terms[j])
        formula = (f"C = −ln a{sub(lab)}{sup(L)} = −ln {fmt(a[lab])} = {fmt(C)}\n"
                   "(cross-entropy: only the right answer's share counts, and it counts more the "
                   "nearer it is to 0)")
        text = (f"How wrong is the network on this {c.name(lab)}? With softmax outputs the cost "
                f"is −ln of the share given to the right answer: the {c.q(lab)} gets "
                f"{a[lab]:.2f}, so C = {fmt(C, 3)}. A sure, right answer (1) would cost 0. "
                f"{_NETWORK_COST}")
    else:
        tab = _Table(c.what, "aⱼ", "yⱼ", "(aⱼ − yⱼ)²")
        for j in range(len(a)):
            tab.add(c.name(j), a[j], y[j], terms[j])
        formula = (f"C = Σⱼ (aⱼ{sup(L)} − yⱼ)²\n  = "
                   + " + ".join(fmt(v, 2) for v in terms) + f"\n  = {fmt(C)}")
        big = int(np.argmax(terms))
        if big == lab:
            share = (f"The biggest share, {terms[big]:.2f}, comes from the {c.q(big)} itself, "
                     f"lit at only {a[big]:.2f} when it should be 1.")
        else:
            share = (f"The biggest share, {terms[big]:.2f}, comes from the {c.q(big)}, lit at "
                     f"{a[big]:.2f} when it should be dark.")
        text = (f"How wrong is the network on this {c.name(lab)}? For each output, take how far it "
                f"is from what it should be (1 for the {c.q(lab)}, 0 for the rest), square it, and "
                f"add the {len(a)} up: C = {fmt(C, 3)}. A perfect answer costs 0. {share} "
                f"{_NETWORK_COST}")
    return Stage(
        key="cost", number=2, title="2 · The cost of this sample", short="2 · The cost",
        highlight=lab, text=text, formula=formula,
        values={"a": a, "y": y, "terms": terms, "cost": C},
        overlay=Overlay(focus=(L, lab),
                        neuron_text={(L, j): fmt(terms[j], 2) for j in range(len(a))},
                        caption=f"Cost of this sample: C = {fmt(C, 3)}"),
        **tab.fields(),
    )


def _wants(c: _Context) -> Stage:
    t, L = c.t, c.L
    a, y, lab, p = t.a[L], t.y, t.label, t.prediction
    nudges = c.out_nudges()
    others = [j for j in range(len(a)) if j != lab]
    most = max(others, key=lambda j: a[j])  # the wrong output furthest from 0
    least = min(others, key=lambda j: a[j])
    n_lab, n_most = nudges[lab], nudges[most]
    if c.softmax:
        grad = t.grad_z[L]
        head = "−∂C/∂zⱼ"
        formula = (f"−∂C/∂zⱼ{sup(L)} = yⱼ − aⱼ   (softmax with cross-entropy)\n"
                   f"{c.q(lab)}: 1 − {fmt(a[lab])} = {fmt(n_lab, signed=True)},   "
                   f"{c.q(most)}: 0 − {fmt(a[most])} = {fmt(n_most, signed=True)}")
    else:
        grad = t.grad_a[L]
        head = "−∂C/∂aⱼ"
        formula = (f"−∂C/∂aⱼ{sup(L)} = −2 (aⱼ − yⱼ)\n"
                   f"{c.q(lab)}: −2 ({fmt(a[lab])} − 1) = {fmt(n_lab, signed=True)},   "
                   f"{c.q(most)}: −2 ({fmt(a[most])} − 0) = {fmt(n_most, signed=True)}")
    tab = _Table(c.what, "aⱼ", "yⱼ", head.split(" = ")[0], "wants", signed=(3,))
    for j in range(len(a)):
        tab.add(c.name(j), a[j], y[j], nudges[j], _updown(nudges[j]))
    short = 1 - a[lab]
    if p != lab:
        first = (f"The network thinks this is a {c.name(p)} ({a[p]:.2f}). We want the {c.q(lab)} "
                 f"output to go up{' by a lot' if short > 0.5 else ''} "
                 f"({fmt(n_lab, 2, signed=True)}) and every other output down — the {c.q(most)} "
                 f"most of all ({fmt(n_most, 2, signed=True)}), because it is the furthest from 0.")
    else:
        first = (f"The network already says {c.name(lab)} ({a[lab]:.2f}), but it could be surer. "
                 f"We want the {c.q(lab)} output to go up ({fmt(n_lab, 2, signed=True)}) and every "
                 f"other output down — the {c.q(most)} most ({fmt(n_most, 2, signed=True)}), "
                 f"because at {a[most]:.2f} it is the furthest from 0.")
    if c.softmax:
        second = ("With softmax the outputs share one budget, so each nudge is simply how far the "
                  "output is from its target: y − a.")
    else:
        second = (f"Each nudge is in proportion to how far the output is from its target: raising "
                  f"the {c.q(lab)} matters more than lowering the {c.q(least)}, which is already "
                  f"near 0 ({a[least]:.2f}, nudge {fmt(nudges[least], 2, signed=True)}).")
    return Stage(
        key="wants", number=3, title="3 · What the outputs want", short="3 · What they want",
        highlight=lab, text=f"{first} {second}",
        formula=formula,
        values={"a": a, "y": y, "nudges": nudges, "grad": grad},
        overlay=Overlay(nudges={L: nudges}, focus=(L, lab),
                        neuron_text={(L, j): fmt(nudges[j], 2, signed=True) for j in range(len(a))},
                        caption="What the outputs want: up for the right answer, down for "
                                "the rest"),
        **tab.fields(),
    )


# --- 4. the three levers of one output neuron ---------------------------------------------------


def _dz_formula(c: _Context, l: int, j: int) -> tuple[str, str]:
    """∂C/∂zⱼ⁽ˡ⁾ as a formula with numbers, and its symbolic form."""
    t = c.t
    gz = t.grad_z[l][j]
    if l == c.L and c.softmax:
        return (f"∂C/∂z{sub(j)}{sup(l)} = a{sub(j)} − y{sub(j)} = {fmt(t.a[l][j])} − "
                f"{fmt(t.y[j])} = {fmt(gz)}"), f"∂C/∂z{sub(j)}"
    sp = c.prime(l)[j]
    return (f"∂C/∂z{sub(j)}{sup(l)} = {c.f}'(z{sub(j)}) · ∂C/∂a{sub(j)} = {fmt(sp)} × "
            f"{_par(t.grad_a[l][j])} = {fmt(gz)}"), f"{c.f}'(z{sub(j)}) · ∂C/∂a{sub(j)}"


def _responsiveness(c: _Context, l: int, j: int) -> str:
    """A sentence on σ'(z): how strongly the neuron responds to a change of z right now."""
    if l == c.L and c.softmax:
        return "With softmax and cross-entropy, ∂C/∂z is simply a − y: no σ' factor."
    sp = c.prime(l)[j]
    who = "the output" if l == c.L else "the neuron"
    if c.t.activation == "sigmoid":
        return (f"How much {who} responds is {c.f}'(z) = {fmt(sp, 3)} right now (at most 0.25, "
                f"at z = 0; near 0 when the neuron is saturated).")
    if c.t.activation == "relu":
        return ("The neuron is on (z > 0), so relu'(z) = 1: it passes every change on." if sp > 0
                else "The neuron is off (z ≤ 0), so relu'(z) = 0: none of its levers do anything "
                     "right now.")
    return f"How much {who} responds is tanh'(z) = {fmt(sp, 3)} right now (at most 1, at z = 0)."


def _lever_bias(c: _Context, j: int) -> Stage:
    t, L = c.t, c.L
    z, a, gb = t.z[L][j], t.a[L][j], t.grad_b[L - 1][j]
    ga, gz = t.grad_a[L][j], t.grad_z[L][j]
    sp = c.prime(L)[j]
    up = c.out_nudges()[j] > 0
    dz, _ = _dz_formula(c, L, j)
    step = -c.lr * gb
    tab = _Table("", "value", signed=())
    tab.add(f"z{sub(j)}", z)
    tab.add(f"a{sub(j)}", a)
    if not c.softmax:
        tab.add(f"{c.f}'(z{sub(j)})", sp)
        tab.add(f"∂C/∂a{sub(j)}", ga)
    tab.add(f"∂C/∂b{sub(j)} = ∂C/∂z{sub(j)}", gb)
    tab.add(f"one step: −η ∂C/∂b{sub(j)} (η = {_lr(c.lr)})", step)
    verb = "Raise" if up else "Lower"
    text = (f"To make {c.neuron(L, j)} go {'up' if up else 'down'}, the first lever is its bias: "
            f"{verb.lower()} it and z, and the output with it, {'rise' if up else 'fall'}. "
            f"{_responsiveness(c, L, j)} So ∂C/∂b = {fmt(gb, 3)}, and one step moves this bias by "
            f"{fmt(step, 3, signed=True)}.")
    formula = f"∂C/∂b{sub(j)}{sup(L)} = ∂C/∂z{sub(j)}{sup(L)}\n{dz}"
    return Stage(
        key="lever-bias", number=4, title="4a · Lever 1: the bias", short="4a · The bias",
        text=text, formula=formula,
        values={"z": z, "a": a, "prime": sp, "grad_a": ga, "grad_z": gz, "grad_b": gb,
                "step": step, "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        nudges={L: _only(c.sizes[L], j, c.out_nudges()[j])},
                        neuron_text={(L, j): f"∂C/∂b = {fmt(gb, 2)}"},
                        caption=f"Lever 1: the bias of {c.neuron(L, j)}"),
        **tab.fields(),
    )


def _weight_rows(c: _Context, l: int, j: int, tab: _Table, wishes: bool) -> list[int]:
    """Rows k of the weights into neuron j of layer l: every one for a hidden layer (brightest
    first), the largest |∂C/∂w| ones for the pixels."""
    t = c.t
    a_prev, w, gw = t.a[l - 1], t.W[l - 1][j], t.grad_w[l - 1][j]
    if l == 1:
        order = np.argsort(-np.abs(gw), kind="stable")[:MAX_WEIGHT_ROWS]
    else:
        order = np.argsort(-a_prev, kind="stable")
    for k in order:
        cells = [_pixel(int(k), c.sizes[0]).replace("pixel ", "") if l == 1 else str(int(k)),
                 a_prev[k], w[k], -gw[k]]
        if wishes:
            cells.append(-t.wishes[l - 1][j, k])
        tab.add(*cells)
    return [int(k) for k in order]


def _lever_weights(c: _Context, j: int) -> Stage:
    t, L = c.t, c.L
    a_prev, w, gw, gz = t.a[L - 1], t.W[L - 1][j], t.grad_w[L - 1][j], t.grad_z[L][j]
    tab = _Table("k", f"aₖ{sup(L - 1)}", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ", signed=(3,))
    order = _weight_rows(c, L, j, tab, wishes=False)
    kb, kd = order[0], int(np.argmin(a_prev))
    up = c.out_nudges()[j] > 0
    dz, _ = _dz_formula(c, L, j)
    formula = (f"∂C/∂w{sub(j)}ₖ{sup(L)} = aₖ{sup(L - 1)} · ∂C/∂z{sub(j)}{sup(L)}"
               f" = aₖ{sup(L - 1)} × {_par(gz)}\n"
               f"k = {kb}: {fmt(a_prev[kb])} × {_par(gz)} = {fmt(gw[kb])}")
    text = (f"The second lever: the {c.sizes[L - 1]} weights into {c.neuron(L, j)}. Each weight's "
            f"effect is in proportion to the activation it multiplies, so the weights from the "
            f"brightest neurons of layer {L - 1} matter most — neuron {kb} ({a_prev[kb]:.2f}) — "
            f"and those from dark ones hardly at all (neuron {kd}: {a_prev[kd]:.2f}). To push the "
            f"output {'up' if up else 'down'}, green lines should grow, red ones shrink.")
    return Stage(
        key="lever-weights", number=4, title="4b · Lever 2: the weights", short="4b · The weights",
        highlight=0, text=text,
        formula=formula,
        values={"a_prev": a_prev, "w": w, "grad_w": gw, "grad_z": gz, "order": np.array(order),
                "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        line_values={L - 1: _only_row(t.W[L - 1].shape, j, -gw)},
                        neuron_text={(L - 1, k): fmt(a_prev[k], 2) for k in order[:3]},
                        caption=f"Lever 2: the weights into {c.neuron(L, j)} "
                                "(green: should grow, red: shrink)"),
        **tab.fields(),
    )


def _lever_activations(c: _Context, j: int) -> Stage:
    t, L = c.t, c.L
    w, gz = t.W[L - 1][j], t.grad_z[L][j]
    wish = t.wishes[L - 1][j]
    nudges = -wish
    order = [int(k) for k in np.argsort(-np.abs(w), kind="stable")]
    tab = _Table("k", f"w{sub(j)}ₖ", f"wish −∂C/∂aₖ{sup(L - 1)}", "direction", signed=(2,))
    for k in order:
        tab.add(str(k), w[k], nudges[k], _updown(nudges[k]))
    up = c.out_nudges()[j] > 0
    k1 = int(np.argmax(np.abs(nudges)))
    formula = (f"∂C/∂aₖ{sup(L - 1)} (the wish of {c.q(j)}) = w{sub(j)}ₖ{sup(L)} · "
               f"∂C/∂z{sub(j)}{sup(L)} = w{sub(j)}ₖ × {_par(gz)}\n"
               f"k = {k1}: −({_par(w[k1])} × {_par(gz)}) = {fmt(nudges[k1], signed=True)}")
    pos, neg = ("brighter", "dimmer") if up else ("dimmer", "brighter")
    text = (f"The third lever: change what comes in. For {c.neuron(L, j)} to go "
            f"{'up' if up else 'down'}, the neurons of layer {L - 1} with a positive weight into "
            f"it should get {pos} and those with a negative weight {neg}, each in proportion to its "
            f"weight — neuron {k1} (w = {fmt(w[k1], 2)}) most. We cannot set activations directly, "
            f"so these are the {c.q(j)} neuron's wishes for layer {L - 1}.")
    return Stage(
        key="lever-activations", number=4, title=f"4c · Lever 3: layer {L - 1}'s activations",
        short="4c · What comes in", highlight=order.index(k1),
        text=text, formula=formula,
        values={"w": w, "grad_z": gz, "wishes": wish, "nudges": nudges, "focus": j},
        overlay=Overlay(focus=(L, j), dim_others=True,
                        nudges={L - 1: nudges, L: _only(c.sizes[L], j, c.out_nudges()[j])},
                        caption=f"Lever 3: what {c.neuron(L, j)} wishes from layer {L - 1}"),
        **tab.fields(),
    )


# --- 5. adding up the wishes; 6. one layer back ---------------------------------------------------


def _sum_wishes_outputs(c: _Context) -> Stage:
    t, L = c.t, c.L
    wishes = t.wishes[L - 1]  # (n_out, n_prev): ∂C/∂a_k wished by output j
    grad = t.grad_a[L - 1]
    nudges = -grad
    n_out, n_prev = wishes.shape
    cols = ["k", "Σ = −∂C/∂aₖ"] + [c.name(j) for j in range(n_out)]
    tab = _Table(*cols, signed=tuple(range(1, n_out + 2)))
    for k in range(n_prev):
        tab.add(str(k), (nudges[k], 3), *(-wishes[:, k]), digits="f2")
    k_star = int(np.argmax(np.abs(nudges)))
    terms = " + ".join(_spar(-wishes[j, k_star], 2) for j in range(n_out))
    formula = (f"∂C/∂aₖ{sup(L - 1)} = Σⱼ wⱼₖ{sup(L)} · ∂C/∂zⱼ{sup(L)}   "
               f"(the sum of the {n_out} wishes)\n"
               f"k = {k_star}: −∂C/∂a{sub(k_star)} = {terms}\n      = "
               f"{fmt(nudges[k_star], signed=True)}")
    jp = int(np.argmax(-wishes[:, k_star]))
    jn = int(np.argmin(-wishes[:, k_star]))
    pull = ""
    if -wishes[jp, k_star] > 0 > -wishes[jn, k_star]:
        pull = (f" For neuron {k_star} the {c.q(jp)} wishes up "
                f"({fmt(-wishes[jp, k_star], 2, True)}), the {c.q(jn)} down "
                f"({fmt(-wishes[jn, k_star], 2, True)}).")
    text = (f"Every output has its own wishes for layer {L - 1}, and they pull different ways."
            f"{pull} Adding up the {n_out} wishes (each column below is one output's) gives the "
            f"nudges layer {L - 1} should get, Σ. Neuron {k_star} is wanted most: "
            f"{fmt(nudges[k_star], 2, signed=True)} ({'up' if nudges[k_star] > 0 else 'down'}).")
    return Stage(
        key=f"sum-{L - 1}", number=5, title="5 · Adding up the wishes", short="5 · All the wishes",
        highlight=k_star, text=text, formula=formula,
        values={"wishes": wishes, "grad_a": grad, "nudges": nudges, "most_wanted": k_star},
        overlay=Overlay(nudges={L - 1: nudges, L: c.out_nudges()}, focus=(L - 1, k_star),
                        caption=f"All outputs' wishes added up: the nudges for layer {L - 1}"),
        **tab.fields(),
    )


def _hidden_levers(c: _Context, l: int, letter: str) -> Stage:
    """Neuron j of hidden layer l (the most wanted): bias, weights and wishes in one stage."""
    t = c.t
    nudges_l = -t.grad_a[l]
    j = int(np.argmax(np.abs(nudges_l)))
    skipped = None
    if t.grad_z[l][j] == 0 and np.any(t.grad_z[l] != 0):
        # The most-wanted neuron is off (relu): its levers do nothing; take the one that can move.
        skipped, j = j, int(np.argmax(np.abs(t.grad_z[l])))
    z, gz, gb = t.z[l][j], t.grad_z[l][j], t.grad_b[l - 1][j]
    sp = c.prime(l)[j]
    gw = t.grad_w[l - 1][j]
    wish = t.wishes[l - 1][j]
    first = l == 1
    if first:
        tab = _Table("pixel", "aₖ", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ", signed=(3,))
    else:
        tab = _Table("k", f"aₖ{sup(l - 1)}", f"w{sub(j)}ₖ", f"−∂C/∂w{sub(j)}ₖ",
                     f"wish −∂C/∂aₖ{sup(l - 1)}", signed=(3, 4))
    order = _weight_rows(c, l, j, tab, wishes=not first)
    up = nudges_l[j] > 0
    dz, _ = _dz_formula(c, l, j)
    formula = (f"{dz}\n"
               f"∂C/∂b{sub(j)}{sup(l)} = ∂C/∂z{sub(j)} = {fmt(gb)}\n"
               f"∂C/∂w{sub(j)}ₖ{sup(l)} = aₖ{sup(l - 1)} × {_par(gz)}")
    if not first:
        formula += f",   ∂C/∂aₖ{sup(l - 1)} (wish) = w{sub(j)}ₖ × {_par(gz)}"
    kb = order[0]
    if skipped is None:
        who = f"Its most-wanted neuron is {j}"
    else:
        who = (f"Its most-wanted neuron, {skipped}, is off ({c.f}'(z) = 0), so take neuron {j}, "
               f"whose levers matter most")
    text = (f"Layer {l} now has its nudges, just as the outputs had theirs. {who} "
            f"({fmt(nudges_l[j], 2, signed=True)}: {'up' if up else 'down'}); its levers work "
            f"exactly as before. {_responsiveness(c, l, j)} ")
    if first:
        n_zero = int(np.count_nonzero(gw == 0))
        text += (f"Its {_count(c.sizes[0])} weights come from the pixels: those from lit pixels "
                 f"matter ({_pixel(kb, c.sizes[0])} most), the {n_zero} from black ones not at "
                 f"all. The pixels are the image itself — we cannot change them, so backpropagation "
                 f"stops here.")
    else:
        text += (f"Its weights from bright neurons of layer {l - 1} matter most (neuron {kb}: "
                 f"{t.a[l - 1][kb]:.2f}), and it has its own wishes for layer {l - 1}.")
    overlay_nudges = {l: nudges_l}
    if not first:
        overlay_nudges[l - 1] = -wish
    return Stage(
        key=f"levers-{l}", number=6, title=f"6{letter} · Layer {l}: the same three levers",
        short=f"6{letter} · Layer {l} levers",
        text=text, formula=formula,
        values={"nudges": nudges_l, "focus": j, "z": z, "prime": sp, "grad_a": t.grad_a[l][j],
                "grad_z": gz, "grad_b": gb, "grad_w": gw, "a_prev": t.a[l - 1],
                "w": t.W[l - 1][j], "wishes": wish, "order": np.array(order)},
        overlay=Overlay(focus=(l, j), dim_others=True, nudges=overlay_nudges,
                        line_values={l - 1: _only_row(t.W[l - 1].shape, j, -gw)},
                        neuron_text={(l, j): fmt(nudges_l[j], 2, signed=True)},
                        caption=f"The same three levers, for neuron {j} of layer {l}"),
        **tab.fields(),
    )


def _sum_wishes_hidden(c: _Context, l: int, letter: str) -> Stage:
    """Layer l's wishes for layer l − 1, added up: the nudges layer l − 1 gets."""
    t = c.t
    wishes = t.wishes[l - 1]  # (n_l, n_{l−1})
    grad = t.grad_a[l - 1]
    nudges = -grad
    w_nudges = -wishes
    ups = np.where(w_nudges > 0, w_nudges, 0).sum(axis=0)
    downs = np.where(w_nudges < 0, w_nudges, 0).sum(axis=0)
    tab = _Table("k", "pulling up", "pulling down", "strongest wish", f"Σ = −∂C/∂aₖ{sup(l - 1)}",
                 signed=(1, 2, 4))
    for k in range(wishes.shape[1]):
        js = int(np.argmax(np.abs(w_nudges[:, k])))
        tab.add(str(k), ups[k], downs[k],
                f"{fmt(w_nudges[js, k], 2, signed=True)} (neuron {js})", nudges[k], digits=3)
    k_star = int(np.argmax(np.abs(nudges)))
    terms = " + ".join(_spar(v, 2) for v in w_nudges[:, k_star])
    formula = (f"∂C/∂aₖ{sup(l - 1)} = Σⱼ wⱼₖ{sup(l)} · ∂C/∂zⱼ{sup(l)}\n"
               f"k = {k_star}: −∂C/∂a{sub(k_star)} = {terms}\n      = "
               f"{fmt(nudges[k_star], signed=True)}")
    text = (f"Every neuron of layer {l} has its wishes for layer {l - 1}, each weighted by how "
            f"much it should change itself. Added up, they are the nudges for layer {l - 1}: "
            f"neuron {k_star} is wanted most ({fmt(nudges[k_star], 2, signed=True)}), "
            f"{fmt(ups[k_star], 2)} pulling up against {fmt(downs[k_star], 2)} pulling down.")
    return Stage(
        key=f"sum-{l - 1}", number=6, title=f"6{letter} · Layer {l}'s wishes, added up",
        short=f"6{letter} · Layer {l} wishes", highlight=k_star,
        text=text, formula=formula,
        values={"wishes": wishes, "grad_a": grad, "nudges": nudges, "up": ups, "down": downs,
                "most_wanted": k_star},
        overlay=Overlay(nudges={l - 1: nudges, l: -t.grad_a[l]}, focus=(l - 1, k_star),
                        caption=f"Layer {l}'s wishes added up: the nudges for layer {l - 1}"),
        **tab.fields(),
    )


# --- 7. the whole gradient ----------------------------------------------------------------------


def _all_gradients(t: Trace) -> np.ndarray:
    """Every ∂C/∂θ in one flat order: W⁽¹⁾ row by row, b⁽¹⁾, W⁽²⁾, b⁽²⁾, … (see `_param_at`)."""
    return np.concatenate([g for gw, gb in zip(t.grad_w, t.grad_b) for g in (gw.reshape(-1), gb)])


def _param_at(t: Trace, i: int) -> tuple[int, int, int]:
    """The parameter (l, j, k) at flat position i of `_all_gradients`."""
    for l, (gw, gb) in enumerate(zip(t.grad_w, t.grad_b)):
        if i < gw.size:
            j, k = divmod(i, gw.shape[1])
            return l, int(j), int(k)
        i -= gw.size
        if i < gb.size:
            return l, int(i), -1
        i -= gb.size
    raise IndexError(i)


def top_parameters(t: Trace, n: int = TOP_PARAMETERS) -> list[tuple[int, int, int, float]]:
    """The n parameters with the largest |∂C/∂θ|: (l, j, k, ∂C/∂θ), k = −1 for a bias."""
    flat = _all_gradients(t)
    n = min(n, flat.size)
    idx = np.argpartition(-np.abs(flat), n - 1)[:n]
    idx = idx[np.argsort(-np.abs(flat[idx]), kind="stable")]
    out = []
    for i in idx:
        l, j, k = _param_at(t, int(i))
        g = t.grad_b[l][j] if k < 0 else t.grad_w[l][j, k]
        out.append((l, j, k, float(g)))
    return out


def _connects(c: _Context, l: int, j: int, k: int) -> str:
    """Where a parameter sits: "layer 2 #14 → '2'", "bias of '2'"."""
    to = c.q(j) if l + 1 == c.L else f"#{j} of layer {l + 1}"
    if k < 0:
        return f"bias of {to}"
    frm = f"pixel ({k // 28}, {k % 28})" if l == 0 and c.sizes[0] == 784 else f"#{k} of layer {l}"
    return f"{frm} → {to}"


def _gradient(c: _Context) -> Stage:
    t = c.t
    flat = _all_gradients(t)
    P = flat.size
    top = top_parameters(t)
    g10 = abs(top[-1][3])
    norm = float(np.sqrt(np.sum(flat * flat)))
    zeros = int(np.count_nonzero(flat == 0))
    tab = _Table("#", "parameter", "connects", "∂C/∂θ", f"× #{len(top)}")
    for r, (l, j, k, g) in enumerate(top, 1):
        tab.add(str(r), param_name(l, j, k), _connects(c, l, j, k), g,
                abs(g) / g10 if g10 > 0 else float("nan"), digits=3)
    g1 = top[0][3]
    ratio = abs(g1) / g10 if g10 > 0 else float("inf")
    formula = (f"∇C = (∂C/∂w{sub(0, 0)}{sup(1)}, …, ∂C/∂b{sub(c.sizes[-1] - 1)}{sup(c.L)}): "
               f"{_count(P)} numbers,  |∇C| = {fmt(norm)}\n"
               f"largest: ∂C/∂{param_name(*top[0][:3])} = {fmt(g1)}   "
               f"= {fmt(ratio, 3)} × the {len(top)}th, {fmt(top[-1][3])}")
    zero_note = ""
    if zeros:
        zero_note = (f" {_count(zeros)} of them are exactly 0 — mostly weights from black pixels, "
                     f"which cannot affect this sample.")
    text = (f"Done for this one {c.q(t.label)}, backpropagation gives all {_count(P)} "
            f"derivatives: the gradient. The cost is a function of these {_count(P)} parameters, "
            f"and the negative gradient says which way to nudge every one of them to lower it "
            f"fastest. It also ranks the parameters: the top one is "
            f"{fmt(ratio, 2)} times the {len(top)}th, so changing it matters {fmt(ratio, 2)} times "
            f"as much.{zero_note} Click any line to see its chain rule.")
    return Stage(
        key="gradient", number=7, title="7 · The whole gradient", short="7 · The gradient",
        highlight=0, text=text, formula=formula,
        values={"params": [p[:3] for p in top], "grads": np.array([p[3] for p in top]),
                "ratios": (np.array([abs(p[3]) / g10 for p in top]) if g10 > 0
                           else np.full(len(top), np.nan)),
                "norm": norm, "zeros": zeros, "count": P},
        overlay=Overlay(line_values={l: -g for l, g in enumerate(t.grad_w)},
                        nudges={l + 1: -g for l, g in enumerate(t.grad_b)},
                        caption="−∇C: green should grow, red shrink; the brighter, the more "
                                "it matters"),
        **tab.fields(),
    )


def chain_rule(trace: Trace, l: int, j: int, k: int, class_names=DIGITS,
               numeric: float | None = None) -> Stage:
    """The chain rule for one weight w⁽ˡ⁺¹⁾ⱼₖ (`Network.weights[l][j, k]`) with its numbers:
    ∂C/∂w = aₖ⁽ˡ⁾ · σ'(zⱼ⁽ˡ⁺¹⁾) · ∂C/∂aⱼ⁽ˡ⁺¹⁾ (at a softmax output: aₖ · (aⱼ − yⱼ)).
    With `numeric` (central differences), the table also compares the two."""
    L = trace.L
    if not (0 <= l < L and 0 <= j < trace.W[l].shape[0] and 0 <= k < trace.W[l].shape[1]):
        raise ValueError(f"no weight ({l}, {j}, {k}) in a network of sizes "
                         f"{[len(a) for a in trace.a]}")
    c = _Context(None, trace, class_names, 0.0)
    lo = l + 1  # the neuron layer j is in
    a_k, gz, gw = trace.a[l][k], trace.grad_z[lo][j], trace.grad_w[l][j, k]
    ga = trace.grad_a[lo][j]
    sp = c.prime(lo)[j]
    w = trace.W[l][j, k]
    name = param_name(l, j, k)
    tab = _Table("", "value")
    tab.add(f"w = {name}", w)
    tab.add(f"a{sub(k)}{sup(l)}  (what it multiplies)", a_k)
    if lo == L and c.softmax:
        tab.add(f"∂C/∂z{sub(j)} = a{sub(j)} − y{sub(j)}", gz)
        formula = (f"∂C/∂{name} = a{sub(k)}{sup(l)} · ∂C/∂z{sub(j)}{sup(lo)},  "
                   f"∂C/∂z{sub(j)} = a{sub(j)} − y{sub(j)}\n = {fmt(a_k)} × ({fmt(trace.a[lo][j])} − {fmt(trace.y[j])})"
                   f" = {fmt(gw)}")
    else:
        tab.add(f"{c.f}'(z{sub(j)}{sup(lo)})", sp)
        tab.add(f"∂C/∂a{sub(j)}{sup(lo)}", ga)
        tab.add(f"∂C/∂z{sub(j)} = {c.f}'(z) · ∂C/∂a", gz)
        formula = (f"∂C/∂{name} = a{sub(k)}{sup(l)} · {c.f}'(z{sub(j)}{sup(lo)}) · "
                   f"∂C/∂a{sub(j)}{sup(lo)}\n"
                   f" = {fmt(a_k)} × {fmt(sp)} × {_par(ga)} = {fmt(gw)}")
    tab.add("∂C/∂w (backprop)", gw)
    values = {"w": w, "a_prev": a_k, "prime": sp, "grad_a": ga, "grad_z": gz, "grad_w": gw}
    if numeric is not None:
        rel = abs(gw - numeric) / max(abs(gw) + abs(numeric), 1e-8)
        tab.add("∂C/∂w (central differences)", numeric)
        tab.add("relative error", rel)
        values.update(numeric=numeric, rel_error=rel)
    frm = c.neuron(l, k) if l > 0 else _pixel(k, c.sizes[0])
    text = (f"This weight connects {frm} to {c.neuron(lo, j)}. Its derivative is a chain of three "
            f"factors: the activation it multiplies ({fmt(a_k, 3)}), how responsive the neuron is "
            f"and how much the cost cares about that neuron (∂C/∂z = {fmt(gz, 3)}).")
    if lo == L and c.softmax:
        text = (f"This weight connects {frm} to {c.neuron(lo, j)}. With softmax and cross-entropy "
                f"∂C/∂z is simply a − y = {fmt(gz, 3)}; times the activation it multiplies "
                f"({fmt(a_k, 3)}) that is ∂C/∂w.")
    if numeric is not None:
        ok = values["rel_error"] < GRADCHECK_TOLERANCE
        text += (f" Nudging the weight by ±10⁻⁵ and measuring the cost gives {fmt(numeric, 6)}: "
                 + ("backprop agrees." if ok else "backprop DISAGREES — something is wrong."))
    return Stage(
        key="weight", number=7, title=f"The chain rule for {name}", text=text, formula=formula,
        values=values,
        overlay=Overlay(focus=(lo, j), dim_others=True,
                        line_values={l: _only_row(trace.W[l].shape, j,
                                                  _only(trace.W[l].shape[1], k, -gw))},
                        neuron_text={(l, k): fmt(a_k, 2), (lo, j): f"∂C/∂z = {fmt(gz, 2)}"},
                        caption=f"∂C/∂{name} = {fmt(gw, 3)}"),
        **tab.fields(),
    )


# --- 8. one step ----------------------------------------------------------------------------------


def gradient_step(net: Network, trace: Trace, lr: float) -> Network:
    """A new network, one gradient descent step on this sample: W − η ∂C/∂W, b − η ∂C/∂b.
    `net` is left untouched (so its parameters are the exact undo)."""
    new = net.copy()
    new.apply_step(trace.grad_w, trace.grad_b, lr)
    return new


def _step(c: _Context, after: Network) -> Stage:
    t, L, lab = c.t, c.L, c.t.label
    a0 = t.a[L]
    a1 = after.forward(t.x)
    c0, c1 = t.cost, sample_cost(after, t.x, lab)
    change = a1 - a0
    tab = _Table(c.what, "a now", "a after one step", "change", signed=(3,))
    for j in range(len(a0)):
        tab.add(c.name(j), a0[j], a1[j], change[j])
    P = after.parameter_count
    formula = (f"θ ← θ − η ∂C/∂θ  for all {_count(P)} parameters,  η = {_lr(c.lr)}\n"
               f"C: {fmt(c0)} → {fmt(c1)},   a{sub(lab)}: {fmt(a0[lab])} → {fmt(a1[lab])}")
    text = (f"One step with learning rate η = {_lr(c.lr)} moves every weight and bias a little "
            f"against its derivative. For this {c.q(lab)} the cost goes from {fmt(c0, 3)} to "
            f"{fmt(c1, 3)}, and the {c.q(lab)} output from {a0[lab]:.2f} to {a1[lab]:.2f}.")
    if c1 > c0:
        text += (f" The cost went UP: η = {_lr(c.lr)} is too big a step here — the slope changes "
                 f"before we get there.")
    text += " Take the step to see it in the network; Undo puts every weight back exactly."
    return Stage(
        key="step", number=8, title="8 · Take one step", short="8 · One step", highlight=lab,
        text=text, formula=formula,
        values={"a_before": a0, "a_after": a1, "change": change, "cost_before": c0,
                "cost_after": c1, "lr": c.lr},
        overlay=Overlay(line_values={l: -c.lr * g for l, g in enumerate(t.grad_w)},
                        nudges={L: change},
                        neuron_text={(L, j): f"{a0[j]:.2f}→{a1[j]:.2f}" for j in range(len(a0))},
                        caption=f"One step, η = {_lr(c.lr)}: C {fmt(c0, 3)} → {fmt(c1, 3)}"),
        **tab.fields(),
    )


# --- 9. from one sample to a mini-batch ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BatchWishes:
    """What several samples want for the same parameters.

    params          (l, j, k) per parameter, k = −1 for a bias (code indexing: weights[l][j, k])
    grads           (n_samples, n_params) ∂C/∂θ of each sample, from its own backprop
    mean            (n_params,) their average: the direction of one SGD step on this batch
    batch_gradient  (n_params,) the same entries of `Network.gradient(X, labels)`, for the check
    """

    params: tuple[tuple[int, int, int], ...]
    labels: np.ndarray
    grads: np.ndarray
    mean: np.ndarray
    batch_gradient: np.ndarray


def _norm_param(p) -> tuple[int, int, int]:
    l, j, k = p
    return int(l), int(j), -1 if k is None else int(k)


def batch_wishes(net: Network, X: np.ndarray, labels, params) -> BatchWishes:
    """Each sample's ∂C/∂θ for the given parameters (one backprop per sample) and their mean,
    with `net.gradient(X, labels)` for the same entries (they agree to rounding)."""
    X = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
    labels = np.asarray(labels).astype(np.intp).reshape(-1)
    if len(X) != len(labels) or len(X) == 0:
        raise ValueError(f"need as many labels as samples (at least one), got {len(X)} and "
                         f"{len(labels)}")
    params = tuple(_norm_param(p) for p in params)
    for l, j, k in params:
        if not (0 <= l < net.L and 0 <= j < net.sizes[l + 1] and -1 <= k < net.sizes[l]):
            raise ValueError(f"no parameter ({l}, {j}, {k}) in a network of sizes {net.sizes}")

    def pick(gw, gb):
        return [gb[l][j] if k < 0 else gw[l][j, k] for l, j, k in params]

    grads = np.array([pick(tr.grad_w, tr.grad_b)
                      for tr in (net.backprop(x, y) for x, y in zip(X, labels))], dtype=np.float64)
    gw, gb, _ = net.gradient(X, labels)
    return BatchWishes(params, labels, grads, grads.mean(axis=0), np.array(pick(gw, gb)))


def _batch_params(c: _Context) -> list[tuple[int, int, int]]:
    """Stage 9's parameters, from several layers: the right answer's output bias, its weight with
    the largest |∂C/∂w| for this sample, then the largest-|∂C/∂w| weight of the layers before."""
    t, L, lab = c.t, c.L, c.t.label
    params = [(L - 1, lab, -1), (L - 1, lab, int(np.argmax(np.abs(t.grad_w[L - 1][lab]))))]
    for l in range(L - 2, -1, -1):
        j, k = np.unravel_index(int(np.argmax(np.abs(t.grad_w[l]))), t.grad_w[l].shape)
        params.append((l, int(j), int(k)))
        if len(params) == 4:
            break
    return params


def _batch(c: _Context, batch, batch_size: int) -> Stage:
    if batch is None or len(batch[0]) == 0:
        return Stage(
            key="batch", number=9, title="9 · From one sample to a batch", short="9 · A mini-batch",
            text=("Each training sample wants its own changes; training averages them over "
                  f"mini-batches of {_count(batch_size)}. No training samples are loaded yet: "
                  "choose a dataset to see several of them side by side."),
            formula="∇C = (1/n) Σᵢ ∇Cᵢ", rows=(), values={}, overlay=Overlay(),
        )
    X, labels = batch
    params = _batch_params(c)
    bw = batch_wishes(c.net, X, labels, params)
    n = len(bw.labels)
    names = [param_name(*p) for p in params]
    tab = _Table("sample", c.what, *[f"−∂C/∂{nm}" for nm in names],
                 signed=tuple(range(2, 2 + len(names))))
    for i in range(n):
        tab.add(f"#{i + 1}", c.name(int(bw.labels[i])), *(-bw.grads[i]), digits=3)
    tab.add("average", "", *(-bw.mean), digits=3)
    p0 = names[0]
    terms = " + ".join(_spar(v, 2) for v in -bw.grads[:, 0])
    formula = (f"−∂C/∂θ over the batch = (1/n) Σᵢ −∂Cᵢ/∂θ,  n = {n}\n"
               f"−∂C/∂{p0} = ({terms}) / {n}\n     = {fmt(-bw.mean[0], signed=True)}")
    opposite = int(np.count_nonzero(np.sign(bw.grads[:, 0]) != np.sign(bw.mean[0])))
    text = (f"Each sample wants its own changes, often pulling the same parameter opposite ways "
            f"({opposite} of these {n} {'disagrees' if opposite == 1 else 'disagree'} with the "
            f"average on {p0}). Averaged over every training sample, their wishes are the "
            f"negative gradient of the cost — but using every sample for every step is slow. "
            f"So training shuffles the data, cuts it into mini-batches of {_count(batch_size)} "
            f"(the batch box) and takes one step per mini-batch: stochastic gradient descent, "
            f"a drunkard's quick stagger downhill rather than a careful, slow walk.")
    return Stage(
        key="batch", number=9, title="9 · From one sample to a batch", short="9 · A mini-batch",
        text=text, formula=formula,
        values={"params": params, "labels": bw.labels, "grads": bw.grads, "mean": bw.mean,
                "batch_gradient": bw.batch_gradient},
        overlay=Overlay(caption=f"{n} samples, each with its own wishes; SGD follows their "
                                "average"),
        **tab.fields(),
    )


# --- the walk -----------------------------------------------------------------------------------


def build_walk(net: Network, x, label: int, class_names=DIGITS, focus: int | None = None,
               lr: float = 3.0, batch: tuple[np.ndarray, np.ndarray] | None = None,
               batch_size: int = 100) -> Walk:
    """The whole walk for sample x (sizes[0],) with its right class `label`.

    focus       the output neuron of stage 4 (default: the right answer)
    lr          the learning rate of stage 8's step
    batch       (X (n, sizes[0]) in 0..1, labels (n,)) for stage 9; None shows an explanation only
    batch_size  the mini-batch size training uses, as stage 9 names it
    """
    trace = net.backprop(x, label)
    n_out = net.sizes[-1]
    if len(class_names) != n_out:
        raise ValueError(f"{len(class_names)} class names for {n_out} outputs")
    focus = trace.label if focus is None else int(focus)
    if not 0 <= focus < n_out:
        raise ValueError(f"focus must be an output neuron 0..{n_out - 1}, got {focus}")
    c = _Context(net, trace, class_names, lr)
    L = net.L
    stages = [_forward_input(c)] + [_forward_layer(c, l) for l in range(1, L + 1)]
    stages += [_cost(c), _wants(c), _lever_bias(c, focus), _lever_weights(c, focus),
               _lever_activations(c, focus)]
    if L >= 2:
        stages.append(_sum_wishes_outputs(c))
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for l in range(L - 1, 0, -1):
            stages.append(_hidden_levers(c, l, next(letters)))
            if l > 1:
                stages.append(_sum_wishes_hidden(c, l, next(letters)))
    after = gradient_step(net, trace, lr)
    stages += [_gradient(c), _step(c, after), _batch(c, batch, int(batch_size))]
    return Walk(trace, stages, focus, float(lr), after)


# --- numerical checks ---------------------------------------------------------------------------


def numerical_weight_gradient(net: Network, x, label: int, l: int, j: int, k: int | None,
                              eps: float = 1e-5) -> float:
    """(C(θ + ε) − C(θ − ε)) / 2ε for one weight (or bias when k is None/−1), with true forward
    passes of the perturbed network in extended precision."""
    hp = np.longdouble
    Ws = [np.asarray(W, dtype=hp) for W in net.weights]
    bs = [np.asarray(b, dtype=hp) for b in net.biases]
    x = np.asarray(x, dtype=hp).reshape(-1)
    y = one_hot([label], net.sizes[-1], dtype=hp)[0]

    def cost(delta: float) -> hp:
        W2, b2 = list(Ws), list(bs)
        if k is None or k < 0:
            b2[l] = bs[l].copy()
            b2[l][j] += hp(delta)
        else:
            W2[l] = Ws[l].copy()
            W2[l][j, k] += hp(delta)
        a = x
        for m in range(net.L):
            z = W2[m] @ a + b2[m]
            a = net.cost_fn.output(z, net.act) if m == net.L - 1 else net.act.f(z)
        return net.cost_fn.value(a[None, :], y[None, :])[0]

    return float((cost(eps) - cost(-eps)) / hp(2 * eps))


@dataclass(frozen=True, eq=False)
class GradCheckReport:
    """The gradient check as tables for the debugger: one row per weight layer (its worst
    parameter) and the worst offenders overall."""

    check: GradCheck
    tolerance: float
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_values: tuple[tuple[float | None, ...], ...]

    @property
    def max_rel_error(self) -> float:
        return self.check.max_rel_error

    @property
    def ok(self) -> bool:
        return self.check.max_rel_error < self.tolerance

    def worst_layers(self) -> list[int]:
        """Weight layers whose worst relative error is above the tolerance."""
        return [c.layer for c in self.check.layers
                if max(c.max_rel_error_w, c.max_rel_error_b) >= self.tolerance]


GRADCHECK_MAX_PARAMS = 15_000  # the default network (13,002) is checked whole; bigger ones sampled


def per_layer_gradcheck(net: Network, x, label: int, tolerance: float = GRADCHECK_TOLERANCE,
                        n_offenders: int = 5,
                        max_params: int | None = GRADCHECK_MAX_PARAMS) -> GradCheckReport:
    """Check `net.backprop` on this sample against central differences (`check_gradient`):
    a row per weight layer with its worst relative error, then the worst offenders overall.
    Networks with more than `max_params` parameters are checked on a seeded sample of neurons."""
    check = check_gradient(net, x, label, trace=net.backprop(x, label), n_offenders=n_offenders,
                           max_params=max_params)
    tab = _Table("", "parameter", "backprop", "numerical", "relative error", "")
    sizes = net.sizes
    for lc in check.layers:
        kind, j, k, an, num, rel = lc.worst
        tab.add(f"layer {lc.layer + 1} ({sizes[lc.layer]}→{sizes[lc.layer + 1]})",
                param_name(lc.layer, j, k if kind == "W" else None), an, num, rel,
                "✓" if rel < tolerance else "✗ wrong", digits=6)
    for r, (kind, l, j, k, an, num, rel) in enumerate(check.offenders, 1):
        tab.add(f"worst #{r}", param_name(l, j, k if kind == "W" else None), an, num, rel,
                "✓" if rel < tolerance else "✗ wrong", digits=6)
    f = tab.fields()
    return GradCheckReport(check, tolerance, f["columns"], f["rows"], f["row_values"])


def gradcheck_stage(report: GradCheckReport, n_parameters: int) -> Stage:
    """The gradient check as a page of the stepper."""
    worst = report.max_rel_error
    checked = report.check.checked or n_parameters
    which = (f"all {_count(n_parameters)} parameters" if checked >= n_parameters else
             f"the {_count(checked)} parameters of a seeded sample of neurons (of "
             f"{_count(n_parameters)})")
    if report.ok:
        text = (f"Backpropagation agrees with the numerical gradient for {which}: the worst "
                f"relative error is {fmt(worst, 2)}, well below {fmt(report.tolerance)}.")
    else:
        bad = ", ".join(str(l + 1) for l in report.worst_layers())
        text = (f"Backpropagation DISAGREES with the numerical gradient: the worst relative error "
                f"is {fmt(worst, 2)} (above {fmt(report.tolerance)}), in the weights into layer "
                f"{bad}. The worst offenders are listed below.")
    formula = ("numerical: ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε,  ε = 10⁻⁵\n"
               "relative error = |backprop − numerical| / max(|backprop| + |numerical|, "
               "10⁻⁴ · largest |backprop|)")
    return Stage(key="gradcheck", number=0, title="Gradient check", text=text, formula=formula,
                 rows=report.rows, row_values=report.row_values, columns=report.columns,
                 values={"max_rel_error": worst, "ok": report.ok}, overlay=Overlay())


__all__ = [
    "DIGITS", "BatchWishes", "GradCheckReport", "Stage", "Walk", "batch_wishes", "build_walk",
    "chain_rule", "fmt", "fmt_fixed", "gradcheck_stage", "gradient_step",
    "numerical_weight_gradient",
    "param_name", "parse_number", "per_layer_gradcheck", "top_parameters",
]
