"""The texts that explain the network on screen, from its numbers: "What am I looking at?", the
network view's layer captions, tooltips and legend, and the neuron panel's reading of the bias.

Pure text from numbers: the app shows it, the tests check it (over many architectures,
activations and costs), nothing here knows about Qt. A sentence that appears in several places
is written once, here. Activations and costs are their records (`core.activations.Activation`,
`core.costs.Cost`): what is said about σ or a softmax output comes from the record, never from a
name. Layers are numbered as in `Network`: neuron layers 0 … L, weight layers 0 … L−1, and
W[l][j, k] joins neuron k of layer l to neuron j of layer l+1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from mlpviz.core.activations import Activation, get_activation
from mlpviz.core.costs import Cost, get_cost
from mlpviz.core.layout import image_side_of
from mlpviz.core.notation import fmt_fixed, sup
from mlpviz.core.palette import LESSON, Palette
from mlpviz.i18n import N_, _, count, ngettext, tidy

DECIMALS = 3  # numbers in tooltips and the neuron panel: fixed decimals, so columns line up



def training_point(epochs_done: int, batch: int) -> str:
    """Where training is, in the words a class counts in: epochs numbered from 1, so after 3 whole
    epochs and 60 batches of the next it is "epoch 4, batch 60"; on an epoch's boundary "end of
    epoch 3" (or "before training" when nothing has been done). `epochs_done` and `batch` are a
    Snapshot's: epochs completed, batches done in the current one."""
    if batch:
        return _("epoch {epoch}, batch {batch}").format(epoch=epochs_done + 1, batch=batch)
    if epochs_done:
        return _("end of epoch {epoch}").format(epoch=epochs_done)
    return _("before training")


@dataclass(frozen=True)
class Shades:
    """How an activation reads on screen, in words: the shade of 0 and of 1, what "more active"
    looks like. One set per way of drawing activations: white ink on black (the dark theme, MNIST
    itself) or black ink on white (the light theme); in both, more active = more contrast with
    the background."""

    zero: str  # the shade of activation 0 (the background the picture is drawn on)
    one: str  # the shade of activation 1 (full ink)
    quality: str  # "brightness" / "darkness"
    more: str  # "brighter" / "darker"
    most: str  # "brightest" / "darkest"

    def pixel_value(self) -> str:
        """ "its pixel's brightness, 0 (black) to 1 (white)" (or the light theme's words)."""
        return _("its pixel's {quality}, 0 ({zero}) to 1 ({one})").format(
            quality=_(self.quality), zero=_(self.zero), one=_(self.one))

    def answer(self) -> str:
        """The sentence saying which output is the answer."""
        return _("The {most} output, ringed, is the network's answer.").format(most=_(self.most))


WHITE_ON_BLACK = Shades(N_("black"), N_("white"), N_("brightness"), N_("brighter"), N_("brightest"))
BLACK_ON_WHITE = Shades(N_("white"), N_("black"), N_("darkness"), N_("darker"), N_("darkest"))
PIXEL_BRIGHTNESS = WHITE_ON_BLACK.pixel_value()
ANSWER = WHITE_ON_BLACK.answer()


def are_digits(names: Sequence[str]) -> bool:
    """True when the outputs are the digits "0" … "9" (then the texts say "digit", else "class")."""
    return [str(n) for n in names] == [str(d) for d in range(10)]


def output_names(names: Sequence[str], n_out: int) -> list[str]:
    """The labels of the n_out outputs: `names` in order, then "5", "6", … where they run out."""
    names = [str(n) for n in list(names)[:n_out]]
    return names + [str(i) for i in range(len(names), n_out)]


def hidden_hope(digits: bool) -> tuple[str, str]:
    """The lesson's two sentences on what the hidden layers learn, for a network reading
    `digits` (else its answers are other classes)."""
    hope = (_("The hope: hidden neurons pick up pieces — loops, strokes, edges — that combine "
              "into digits.") if digits else
            _("The hope: hidden neurons pick up pieces — loops, strokes, edges — that combine "
              "into the answers."))
    return hope, _("What they learn mostly looks like noise to a person — and yet it works.")


def layer_equation(l: int, symbol: str) -> str:
    """A whole layer at once: "a⁽ˡ⁾ = σ(W⁽ˡ⁾ a⁽ˡ⁻¹⁾ + b⁽ˡ⁾)" with `symbol` for σ (or "softmax")."""
    return f"a{sup(l)} = {symbol}(W{sup(l)} a{sup(l - 1)} + b{sup(l)})"


def layer_name(l: int, L: int) -> str:
    """ "input", "output", "hidden layer" (the only one) or "hidden layer l"."""
    if l == 0:
        return _("input")
    if l == L:
        return _("output")
    return _("hidden layer") if L == 2 else _("hidden layer {l}").format(l=l)


def pixel_name(k: int, side: int) -> str:
    """ "pixel 406 (row 14, column 14)" for input k of a side × side picture; "input k" if none."""
    if not side:
        return _("input {k}").format(k=k)
    r, c = divmod(k, side)
    return _("pixel {k} (row {r}, column {c})").format(k=k, r=r, c=c)


def neuron_name(l: int, j: int, sizes: Sequence[int], names: Sequence[str]) -> str:
    """How a tooltip names neuron j of layer l: "input pixel 406 (row 14, column 14)",
    "hidden layer 2, neuron 5", "output 3 “3”"."""
    L = len(sizes) - 1
    if l == 0:
        side = image_side_of(sizes[0])
        if side:
            return _("input {pixel}").format(pixel=pixel_name(j, side))
        return _("input {k}").format(k=j)
    if l == L:
        return _("output {j} “{name}”").format(j=j, name=output_names(names, sizes[L])[j])
    return _("{layer}, neuron {j}").format(layer=layer_name(l, L), j=j)


def fixed(v: float, signed: bool = False, decimals: int = DECIMALS) -> str:
    """A number as tooltips and the neuron panel print it: DECIMALS fixed decimals, a real minus
    sign, "+" in front when `signed` (fixed(−0.7641) = "−0.764", fixed(0.5, True) = "+0.500")."""
    return fmt_fixed(v, decimals, signed=signed)


def _sum_plus_bias(weighted: float, b: float) -> str:
    """ "0.620 − 0.764": the weighted sum and the bias, the bias's sign as the operator."""
    return f"{fixed(weighted)} + {fixed(b)}" if b >= 0 else f"{fixed(weighted)} − {fixed(-b)}"


# -- the network view ------------------------------------------------------------------------------
def layer_caption(l: int, sizes: Sequence[int], side: int, shown: int, short: bool = False) -> str:
    """The caption under layer l's column: "input 784 = 28×28" (`side` of the input picture, 0 if
    drawn as circles, `shown` of them), "hidden 16", "output 10"; `short` keeps the numbers only,
    for a view too narrow for the full captions side by side."""
    L = len(sizes) - 1
    if l == 0:
        if side:
            text = "{n} = {side}×{side}" if short else _("input {n} = {side}×{side}")
        elif shown < sizes[0]:
            text = _("{n} ({shown} shown)") if short else _("input {n} ({shown} shown)")
        else:
            text = "{n}" if short else _("input {n}")
        return text.format(n=sizes[0], side=side, shown=shown)
    if short:
        return str(sizes[l])
    return (_("output {n}") if l == L else _("hidden {n}")).format(n=sizes[l])


def layer_tooltip(l: int, sizes: Sequence[int], act: Activation, cost: Cost,
                  names: Sequence[str], shades: Shades = WHITE_ON_BLACK) -> str:
    """What layer l is, from the network itself: its neurons, how they are computed, and the
    weights and biases coming in (plain text, one fact per line); `shades` the theme's words."""
    L, n = len(sizes) - 1, sizes[l]
    if l == 0:
        side = image_side_of(sizes[0])
        if side:
            text = _("Input layer: {n} neurons, the {side}×{side} picture flattened row by row.\n"
                     "Each holds {value}: its activation.")
        else:
            text = _("Input layer: {n} neurons.\nEach holds {value}: its activation.")
        return text.format(n=count(n), side=side, value=shades.pixel_value())
    softmax = l == L and cost.softmax_output
    prev = _("the input layer") if l == 1 else layer_name(l - 1, L)
    digits = are_digits(output_names(names, sizes[L]))
    if l == L:
        title = (_("Output layer: {n} neurons, one per digit") if digits
                 else _("Output layer: {n} neurons, one per class")).format(n=n)
    else:
        title = _("{layer}: {n} neurons").format(layer=layer_name(l, L).capitalize(), n=n)
    each = (_("a softmax of Σ w·a + b: shares that add up to 1") if softmax
            else f"a = {act.symbol}(Σ w·a + b)")
    lines = [title,
             _("Each neuron: {each}, over all {n} activations of {prev}").format(
                 each=each, n=count(sizes[l - 1]), prev=prev),
             _("All at once: {equation},").format(
                 equation=layer_equation(l, 'softmax' if softmax else act.symbol)),
             "    " + _("{W}: {n} × {m}, one row of weights per neuron").format(
                 W=f"W{sup(l)}", n=n, m=count(sizes[l - 1])),
             _("Coming in: {weights} weights and {n} biases").format(
                 weights=count(n * sizes[l - 1]), n=n)]
    if l == L:
        lines.append(shades.answer())
    else:
        lines += hidden_hope(digits)
    return "\n".join(lines)


def neuron_tooltip(l: int, j: int, sizes: Sequence[int], act: Activation, cost: Cost,
                   names: Sequence[str], b: float | None = None, z: float | None = None,
                   a: float | None = None, answer: bool = False,
                   nudge: float | None = None, shades: Shades = WHITE_ON_BLACK) -> str:
    """The tooltip of neuron j of layer l: its name, and with a sample its a = σ(z) with the
    numbers, z and the bias b (read as a threshold); `answer` when it is the lit, brightest
    output; `nudge` a stepper stage's wish for it. Without a sample (a None): the bias alone."""
    lines = [neuron_name(l, j, sizes, names)]
    if l == 0:
        if a is not None:
            lines.append(f"a = {fixed(a)}  " + _("(the pixel's {quality}, 0 … 1)").format(
                quality=_(shades.quality)))
        return "\n".join(lines)
    if a is None:
        lines += [f"b = {fixed(b)}  " + _("(bias)"), _("show a sample to see its activation")]
        return "\n".join(lines)
    softmax = l == len(sizes) - 1 and cost.softmax_output
    sum_b = _sum_plus_bias(z - b, b)
    if softmax:
        lines += [f"a = softmax(z)ⱼ = {fixed(a)}", f"z = Σₖ wⱼₖ aₖ + bⱼ = {sum_b} = {fixed(z)}"]
    else:
        f = act.symbol
        lines.append(f"a = {f}(z) = {f}(Σₖ wⱼₖ aₖ + bⱼ) = {f}({sum_b}) = {f}({fixed(z)}) "
                     f"= {fixed(a)}")
    lines += [f"a = {fixed(a)}   " + _("activation"),
              f"z = {fixed(z)}   " + _("pre-activation: weighted sum + bias")]
    if softmax:
        lines.append(f"b = {fixed(b)}   " + _("bias"))
    else:
        lines.append(f"b = {fixed(b)}   " + _("bias: a threshold, z > 0 once the weighted sum "
                                               "passes {threshold}").format(threshold=fixed(-b)))
    if answer:
        lines.append(_("the {most} output: the network's answer").format(most=_(shades.most)))
    if nudge is not None:
        lines.append(_("nudge wanted: {value}").format(value=fixed(nudge, signed=True)))
    return "\n".join(lines)


def line_tooltip(l: int, j: int, k: int, sizes: Sequence[int], names: Sequence[str], w: float,
                 a_k: float | None = None, shown: float | None = None,
                 grad: float | None = None) -> str:
    """The tooltip of the line W[l][j, k]: the weight, both ends, with a sample its share w·a of
    z, and what colours it when that is not the weight (`shown`: a stepper stage's value;
    `grad`: ∂C/∂w in the gradient view)."""
    lines = [_("weight w = {w}").format(w=fixed(w, signed=True)),
             _("from {neuron}").format(neuron=neuron_name(l, k, sizes, names)),
             _("to {neuron}").format(neuron=neuron_name(l + 1, j, sizes, names))]
    if a_k is not None:
        lines.append(f"w · a = {fixed(w)} × {fixed(a_k)} = {fixed(w * a_k)}  " +
                     _("(its share of z)"))
    if shown is not None:
        lines.append(_("value shown: {value}").format(value=fixed(shown, signed=True)))
    elif grad is not None:
        lines.append(f"∂C/∂w = {fixed(grad, True, 4)}  " + _("(nudge: {value})").format(
            value=fixed(-grad, True, 4)))
    return "\n".join(lines)


LEGEND_LINES = {  # what colours the lines → (swatch, full text, shorter, shortest) × 3;
    # "{pos}" / "{neg}": the palette's words for its colours ("green" / "red"); the English
    # messages, translated where the legend is made
    "stage": [("pos", N_("{pos}: + in this step"), N_("+ in this step"), "+"),
              ("neg", N_("{neg}: −"), "−", "−"),
              ("faint", N_("fainter: nearer 0"), N_("nearer 0"), "≈ 0")],
    "gradient": [("pos", N_("{pos}: weight should grow"), N_("should grow"), N_("grow")),
                 ("neg", N_("{neg}: should shrink"), N_("should shrink"), N_("shrink")),
                 ("faint", N_("fainter: matters less"), N_("matters less"), N_("less"))],
    "weights": [("pos", N_("{pos}: positive weight"), N_("positive weight"), "w > 0"),
                ("neg", N_("{neg}: negative"), N_("negative"), "w < 0"),
                ("faint", N_("fainter: nearer 0"), N_("nearer 0"), "w ≈ 0")],
}


def legend_items(lines: str, brighter_is_more: bool = True, nudges: bool = False,
                 thinned_to: int | None = None,
                 palette: Palette = LESSON) -> list[tuple[str, str, str, str]]:
    """The network view's legend as (swatch kind, text, shorter text, shortest text): what the
    line colours mean (`lines`: "weights", "gradient" or "stage" values; the colours named as
    `palette` draws them), what a lit circle means (brighter or, in a light theme, darker), the
    nudge arrows when there are some, and a note when only the strongest `thinned_to` lines into
    each neuron are drawn."""
    pos, neg = (_(word) for word in palette.words)
    circle = (("circle", N_("brighter circle: higher activation"), N_("brighter = more active"),
               N_("active")) if brighter_is_more else
              ("circle", N_("darker circle: higher activation"), N_("darker = more active"),
               N_("active")))
    items = LEGEND_LINES[lines] + [circle]
    if nudges:
        items.append(("arrow", N_("arrow: nudge wanted"), N_("nudge wanted"), N_("nudge")))
    items = [(kind, *(_(text).format(pos=pos, neg=neg) for text in texts))
             for kind, *texts in items]
    if thinned_to:
        items.append(("note", _("showing the strongest {k} lines into each neuron").format(
            k=thinned_to), _("strongest {k} per neuron").format(k=thinned_to),
                      _("top {k}").format(k=thinned_to)))
    return items


# -- the neuron panel ------------------------------------------------------------------------------
def threshold_text(b: float, act: Activation, softmax: bool = False,
                   weighted: float | None = None, a: float | None = None) -> str:
    """The bias read as a threshold, with this neuron's numbers: how high the weighted sum must
    be before the neuron becomes active (z = Σ w·a + b > 0, where `act` says what that means for
    a), and with a sample (`weighted` = Σ w·a, `a`) whether it is. A softmax output has no
    threshold of its own: only its z against the other outputs' counts."""
    if softmax:
        return _("The bias b shifts this output's z up or down; with softmax, what counts is z "
                 "against the other outputs' z.")
    thr = -b
    if b <= 0:
        text = _("The bias is a threshold: the weighted sum must pass {threshold} before this "
                 "neuron becomes active ({when}).")
    else:
        text = _("The bias is a threshold: with b = {b} this neuron is active unless the "
                 "weighted sum drops below {threshold} ({when}).")
    text = text.format(threshold=fixed(thr), b=fixed(b, signed=True), when=_(act.active_when))
    if weighted is not None and a is not None:
        on = weighted + b > 0
        side = (_("above") if weighted > thr else (_("below") if weighted < thr
                                                   else _("exactly at")))
        here = (_("Here the sum is {sum}, {side} it: the neuron is active (a = {a}).") if on else
                _("Here the sum is {sum}, {side} it: the neuron is quiet (a = {a})."))
        text = tidy(text + " " + here.format(sum=fixed(weighted), side=side, a=fixed(a)))
    return text


# -- "What am I looking at?" -----------------------------------------------------------------------
def _and(items: list[str]) -> str:
    """ "16", "16 and 8", "16, 16 and 8"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + _(" and ") + items[-1]


def parameter_breakdown(sizes) -> tuple[str, str, int]:
    """How the parameters of a network of these layer sizes add up, for the texts that show it:
    ("784·16 + 16·16 + 16·10 = 12,960 weights", "16 + 16 + 10 = 42 biases", 13002)."""
    sizes = [int(n) for n in sizes]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    n_weights = sum(a * b for a, b in pairs)
    n_biases = sum(sizes[1:])
    weights = " + ".join(f"{a}·{b}" for a, b in pairs)
    biases = " + ".join(str(b) for b in sizes[1:])
    if len(pairs) > 1:
        weights += f" = {n_weights:,}"
        biases += f" = {n_biases:,}"
    return (_("{sum} weights").format(sum=weights), _("{sum} biases").format(sum=biases),
            n_weights + n_biases)


def structure_summary(sizes, activation: str = "sigmoid", cost: str = "mse",
                      class_names=None, shades: Shades = WHITE_ON_BLACK,
                      palette: Palette = LESSON) -> str:
    """ "What am I looking at?": the network on screen explained, as rich text, with every
    number taken from its layer sizes (784 inputs = 28×28, the hidden layers, the outputs,
    a⁽¹⁾ = σ(W⁽¹⁾a⁽⁰⁾ + b⁽¹⁾), and how its weights and biases add up); the lines' colours
    named as `palette` draws them."""
    sizes = [int(n) for n in sizes]
    n_in, hidden, n_out = sizes[0], sizes[1:-1], sizes[-1]
    names = [str(n) for n in (class_names or [])]
    digits = are_digits(names) and n_out == 10
    side = image_side_of(n_in)
    act, softmax_output = get_activation(activation), get_cost(cost).softmax_output
    if side:
        picture = _("the {side} × {side} picture, flattened row by row into {n} numbers. Each "
                    "neuron holds {value}: its <i>activation</i>.").format(
            side=side, n=count(n_in), value=shades.pixel_value())
        picture = tidy(picture + " " + (
            _("Show a 9 and the input lights up in the shape of a 9.") if digits else
            _("Show a picture and the input lights up in its shape.")))
    else:
        picture = _("{n} numbers, each one neuron's <i>activation</i>.").format(n=count(n_in))
    if not hidden:
        middle = "<p>" + _("There are no hidden layers: the inputs feed the outputs directly.") + \
            "</p>"
    else:
        layers = ngettext("{n} hidden layer", "{n} hidden layers", len(hidden)).format(
            n=len(hidden))
        hope, noise = hidden_hope(digits)
        middle = "<p>" + tidy(_("<b>Middle: {layers}, {sizes} neurons.</b> {hope} {noise} (See the "
                                "Weights tab.)").format(layers=layers,
                                                       sizes=_and([str(h) for h in hidden]),
                                                       hope=hope, noise=noise)) + "</p>"
    if digits:
        outputs = _("one per digit 0–9")
    elif names:
        outputs = _("one per class ({names})").format(
            names=", ".join(names[:3]) + (", …" if len(names) > 3 else ""))
    else:
        outputs = _("one per class")
    softmax = (" " + _("Here the output layer uses a softmax instead: its outputs are shares that "
                       "add up to 1.") if softmax_output else "")
    weights, biases, total = parameter_breakdown(sizes)
    paragraphs = [
        "<h3>" + _("What am I looking at?") + "</h3>",
        "<p>" + _("A neural network reading one picture at a time: layers of {sizes} neurons, "
                  "every neuron of one layer connected to every neuron of the next.").format(
            sizes=" → ".join(count(n) for n in sizes)) + "</p>",
        "<p>" + _("<b>Left: the input layer, {n} neurons</b> — {picture}").format(
            n=count(n_in), picture=picture) + "</p>",
        middle,
        "<p>" + tidy(_("<b>Right: the output layer, {n} neurons, {outputs}.</b> {answer}").format(
            n=n_out, outputs=outputs, answer=shades.answer())) + "</p>",
        "<p>" + tidy(_(
            "<b>Each line is a weight</b>, the strength of one connection: {pos} when positive, "
            "{neg} when negative, fainter the nearer it is to 0. Each neuron takes the "
            "activations of the layer before, each times its weight, adds them up, adds its "
            "<i>bias</i> — a threshold: how high the sum must be before the neuron becomes "
            "active — and {squashes}.{softmax} For a whole layer at once:").format(
            pos=_(palette.positive_word), neg=_(palette.negative_word),
            squashes=act.squashes(N_("the result")), softmax=softmax)) + "</p>",
        f"<p align='center'><b>{layer_equation(1, act.symbol)}</b></p>",
        "<p>" + _("where {W} holds one row of weights per neuron ({rows} × {columns}), and the "
                  "same again for every layer after.").format(
            W=f"W{sup(1)}", rows=sizes[1], columns=count(n_in)) + "</p>",
        "<p>" + _(
            "<b>Each neuron is a function</b> — the activations of the layer before in, one "
            "number out — and <b>the whole network is one function</b> from {n_in} numbers to "
            "{n_out}, with {weights} and {biases}: <b>{total} parameters</b>. Learning means "
            "finding good values for all of them: training takes small steps downhill on the "
            "cost (gradient descent), and the Backprop tab walks through how one sample's "
            "gradient is found.").format(n_in=count(n_in), n_out=n_out, weights=weights,
                                         biases=biases, total=count(total)) + "</p>",
        "<p>" + _(
            "<b>Where to look:</b> Sample (browse the data, find mistakes) · Draw (your own "
            "drawing, or Noise) · Backprop (the stepper, B) · Neuron (click any circle) · "
            "Weights (the first hidden layer's weights as pictures) · Colour lines by ∂C/∂w "
            "(G).") + "</p>",
    ]
    return "".join(paragraphs)


def prediction_text(name: str, value: float, softmax: bool) -> str:
    """The network's answer in one sentence with the winning output's value: a softmax output is
    a share of 1, said as a percentage ("It's a 3 (94 %)"); any other output is an activation, not
    a probability ("It's a 3 (activation 0.94)")."""
    name = str(name)
    amount = (f"{value * 100:.0f} %" if softmax
              else _("activation {value}").format(value=activation_text(value)))
    if name[:1].lower() in "aeiou8" and name[:1]:
        return _("It's an {name} ({amount})").format(name=name, amount=amount)
    return _("It's a {name} ({amount})").format(name=name, amount=amount)


def widest_activation_text(act: Activation, softmax: bool = False) -> str:
    """The longest text `activation_text` can give for an output of this activation (or a
    softmax share): room to keep beside the outputs so that no value is ever cut off —
    "0.00", "−0.00", or for an unbounded activation (relu) "−8.8e+308"."""
    lo, hi = (0.0, 1.0) if softmax else (act.lo, act.hi)
    if abs(lo) >= 100 or abs(hi) >= 100:
        return "−8.8e+308"
    return "−0.00" if lo < 0 else "0.00"


def activation_text(v: float) -> str:
    """An activation as printed beside a neuron or a bar: two decimals (0.42), or two significant
    digits with an exponent once it no longer fits (relu outputs can grow without bound: 9.4e+05)."""
    v = float(v)
    text = f"{v:.2f}" if abs(v) < 100 else f"{v:.2g}"
    return text.replace("-", "−")
