"""What every stage builder shares: the trace with the names of things (`Context`), and the small
pieces of text and arrays the stages are made of.

The activation and cost are asked through their records (`Activation`, `Cost`): the symbol σ,
what σ does to the sum, whether the outputs are a softmax. Nothing here branches on their names.
"""

from __future__ import annotations

import math

import numpy as np

from mlpviz.core.activations import get_activation
from mlpviz.core.costs import get_cost
from mlpviz.core.network import Network, Trace
from mlpviz.core.notation import MINUS, fmt_fixed, fmt_sig
from mlpviz.core.palette import LESSON, Palette
from mlpviz.i18n import N_, _
from mlpviz.i18n import count as _count

DIGITS: tuple[str, ...] = tuple("0123456789")


class Context:
    """What every stage builder needs: the trace, the network's records, the class names.

    net      the network (None where a stage needs only the trace)
    t        the trace of this sample: a[l], z[l], ∂C/∂a, ∂C/∂z, ∂C/∂W, ∂C/∂b, the wishes
    L        the output layer; sizes[l] the neurons of layer l = 0 … L
    act      the activation record; f its symbol ("σ", "tanh", "relu")
    cost     the cost record; softmax whether the outputs are a softmax (cross-entropy)
    squash   what σ does to the weighted sum, in words
    pos, neg the palette's words for the colours of + and − ("green", "red")
    """

    def __init__(self, net: Network | None, trace: Trace, class_names, lr: float,
                 palette: Palette = LESSON):
        self.net, self.t, self.lr = net, trace, float(lr)
        self.pos, self.neg = (_(word) for word in palette.words)  # in the current language
        self.names = tuple(str(n) for n in class_names)
        self.L = trace.L
        self.sizes = [len(a) for a in trace.a]
        self.act = get_activation(trace.activation)
        self.cost = get_cost(trace.cost_name)
        self.softmax = self.cost.softmax_output
        self.f = self.act.symbol
        self.digits = self.names == DIGITS
        self.squash = self.act.squashes(N_("the sum"))
        self.bright = self.act.speaks_brightness

    @property
    def brightest(self) -> str:
        """The largest activation, in the activation's words: "brightest" or "highest"."""
        return _("brightest") if self.bright else _("highest")

    def name(self, j: int) -> str:
        return self.names[j]

    def q(self, j: int) -> str:
        """The class in quotes, as the lesson writes it: '2'."""
        return f"'{self.names[j]}'"

    @property
    def what(self) -> str:
        return _("digit") if self.digits else _("class")

    def layer(self, l: int) -> str:
        if l == 0:
            return _("the input layer")
        if l == self.L:
            return _("the output layer")
        return _("layer {l}").format(l=l)

    def neuron(self, l: int, j: int) -> str:
        """ "the '2' output", "neuron 7 of layer 2", "pixel (12, 5)"."""
        if l == self.L:
            return _("the {name} output").format(name=self.q(j))
        if l == 0:
            return pixel(j, self.sizes[0])
        return _("neuron {j} of layer {l}").format(j=j, l=l)

    def prime(self, l: int) -> np.ndarray:
        """σ'(z⁽ˡ⁾), shape (sizes[l],), from the activation record."""
        return self.act.prime(self.t.z[l])

    def out_nudges(self) -> np.ndarray:
        """What the outputs want, shape (sizes[L],): −∂C/∂a, or −∂C/∂z = y − a at a softmax output
        (the outputs share one budget and only z can be nudged one at a time)."""
        L = self.L
        return -(self.t.grad_z[L] if self.softmax else self.t.grad_a[L])


# --- pieces of text ------------------------------------------------------------------------------


def par(v: float, digits: int = 4) -> str:
    """A number inside a formula: negative ones in parentheses, so "3 × (−2)" reads right."""
    s = fmt_sig(v, digits)
    return f"({s})" if s.startswith(MINUS) else s


def num(v: float) -> str:
    """A number inside a sentence: two decimals with a real minus sign, "−0.91"."""
    return fmt_fixed(v, 2)


def spar(v: float, digits: int = 3) -> str:
    """A signed term of a sum: "(+0.12)", "(−0.03)"."""
    return f"({fmt_sig(v, digits, signed=True)})"


def count(n: int) -> str:
    """A count with the language's thousands separators: 13,002."""
    return _count(n)


def lr_text(lr: float) -> str:
    """The learning rate as the user typed it: 3, 0.5."""
    return f"{lr:g}".replace("-", MINUS)


def pixel(k: int, n_inputs: int) -> str:
    """Input neuron k: "pixel 40 (row 1, col 12)" for a square image, else "input 40"."""
    if is_image(n_inputs):
        return _("pixel {place}").format(place=pixel_place(k, n_inputs))
    return _("input {k}").format(k=k)


def is_image(n_inputs: int) -> bool:
    """Whether the inputs are a square image's pixels."""
    side = int(round(math.sqrt(n_inputs)))
    return side * side == n_inputs


def pixel_place(k: int, n_inputs: int) -> str:
    """Where input k sits: "40 (row 1, col 12)" for a square image, else "40"."""
    if is_image(n_inputs):
        side = int(round(math.sqrt(n_inputs)))
        return _("{k} (row {row}, col {col})").format(k=k, row=k // side, col=k % side)
    return str(k)


def updown(v: float) -> str:
    """The direction of a nudge: "up ▲", "down ▼", or "—" for none."""
    return _("up ▲") if v > 0 else (_("down ▼") if v < 0 else "—")


# --- arrays for the overlay -----------------------------------------------------------------------


def only_row(shape, j: int, row: np.ndarray) -> np.ndarray:
    """Zeros of `shape` except row j: one neuron's incoming lines."""
    m = np.zeros(shape)
    m[j] = row
    return m


def only(n: int, j: int, v: float) -> np.ndarray:
    """Zeros of length n except v at j: one neuron's nudge."""
    a = np.zeros(n)
    a[j] = v
    return a
