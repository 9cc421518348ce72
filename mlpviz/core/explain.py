"""The texts that explain the network on screen ("What am I looking at?"), from its layer sizes.

Pure text from numbers: the app shows it, the tests check it, nothing here knows about Qt.
"""

from __future__ import annotations

from mlpviz.core.notation import sup

_SQUASH = {
    "sigmoid": ("squashes the result into 0 … 1 with the sigmoid σ", "σ"),
    "tanh": ("squashes the result into −1 … 1 with tanh", "tanh"),
    "relu": ("keeps the result if it is positive and gives 0 otherwise (relu)", "relu"),
}


def _and(items: list[str]) -> str:
    """ "16", "16 and 8", "16, 16 and 8"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
    return (f"{weights} weights", f"{biases} biases", n_weights + n_biases)


def structure_summary(sizes, activation: str = "sigmoid", cost: str = "mse",
                      class_names=None) -> str:
    """ "What am I looking at?": the network on screen explained, as rich text, with every
    number taken from its layer sizes (784 inputs = 28×28, the hidden layers, the outputs,
    a⁽¹⁾ = σ(W⁽¹⁾a⁽⁰⁾ + b⁽¹⁾), and how its weights and biases add up)."""
    sizes = [int(n) for n in sizes]
    n_in, hidden, n_out = sizes[0], sizes[1:-1], sizes[-1]
    names = [str(n) for n in (class_names or [])]
    digits = names == [str(d) for d in range(10)] and n_out == 10
    side = int(round(n_in ** 0.5))
    squash, f = _SQUASH.get(activation, (f"passes the result through {activation}", activation))
    if side * side == n_in:
        picture = (f"the {side} × {side} picture, flattened row by row into {n_in:,} numbers. "
                   "Each neuron holds its pixel's brightness, 0 (black) to 1 (white): its "
                   "<i>activation</i>. ")
        picture += ("Show a 9 and the input lights up in the shape of a 9." if digits else
                    "Show a picture and the input lights up in its shape.")
    else:
        picture = f"{n_in:,} numbers, each one neuron's <i>activation</i>."
    if not hidden:
        middle = "<p>There are no hidden layers: the inputs feed the outputs directly.</p>"
    else:
        count = "1 hidden layer" if len(hidden) == 1 else f"{len(hidden)} hidden layers"
        what = "digits" if digits else "the answers"
        middle = (f"<p><b>Middle: {count}, {_and([str(h) for h in hidden])} neurons.</b> The "
                  f"hope is that they pick up pieces — loops, strokes, edges — that combine "
                  f"into {what}. In practice what they learn mostly looks like noise to a "
                  f"person (see the Weights tab), and yet it works.</p>")
    if digits:
        outputs = "one per digit 0–9"
    elif names:
        outputs = "one per class (" + ", ".join(names[:3]) + (", …)" if len(names) > 3 else ")")
    else:
        outputs = "one per class"
    softmax = (" Here the output layer uses a softmax instead: its outputs are shares that add "
               "up to 1." if cost == "cross_entropy" else "")
    weights, biases, total = parameter_breakdown(sizes)
    first = (f"a{sup(1)} = {f}(W{sup(1)} a{sup(0)} + b{sup(1)})")
    return (
        "<h3>What am I looking at?</h3>"
        f"<p>A neural network reading one picture at a time: layers of "
        f"{' → '.join(f'{n:,}' for n in sizes)} neurons, every neuron of one layer connected to "
        f"every neuron of the next.</p>"
        f"<p><b>Left: the input layer, {n_in:,} neurons</b> — {picture}</p>"
        f"{middle}"
        f"<p><b>Right: the output layer, {n_out} neurons, {outputs}.</b> The brightest one, "
        f"ringed, is the network's answer.</p>"
        f"<p><b>Each line is a weight</b>, the strength of one connection: green when "
        f"positive, red when negative, fainter the nearer it is to 0. Each neuron takes the "
        f"activations of the layer before, each times its weight, adds them up, adds its "
        f"<i>bias</i> — a threshold: how high the sum must be before the neuron becomes "
        f"active — and {squash}.{softmax} For a whole layer at once:</p>"
        f"<p align='center'><b>{first}</b></p>"
        f"<p>where W{sup(1)} holds one row of weights per neuron "
        f"({sizes[1]} × {n_in:,}), and the same again for every layer after.</p>"
        f"<p><b>Each neuron is a function</b> — the activations of the layer before in, one "
        f"number out — and <b>the whole network is one function</b> from {n_in:,} numbers to "
        f"{n_out}, with "
        f"{weights} and {biases}: <b>{total:,} parameters</b>. Learning means finding good "
        f"values for all of them: training takes small steps downhill on the cost (gradient "
        f"descent), and the Backprop tab walks through how one sample's gradient is found.</p>"
        "<p><b>Where to look:</b> Sample (browse the data, find mistakes) · Draw (your own "
        "drawing, or Noise) · Backprop (the stepper, B) · Neuron (click any circle) · Weights "
        "(the first hidden layer's weights as pictures) · Colour lines by ∂C/∂w (G).</p>"
    )


def activation_text(v: float) -> str:
    """An activation as printed beside a neuron or a bar: two decimals (0.42), or two significant
    digits with an exponent once it no longer fits (relu outputs can grow without bound: 9.4e+05)."""
    v = float(v)
    text = f"{v:.2f}" if abs(v) < 100 else f"{v:.2g}"
    return text.replace("-", "−")
