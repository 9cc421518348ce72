"""A plain MLP as another program stores it — linear layers with one activation between them —
checked and turned into our `Network`, saying where every choice came from.

Every importer reduces its file to a list of `Layer`s (W in our (out, in) orientation) plus what
the file says follows each layer. `build` then checks the structure (shapes chain, one activation
for all hidden layers, finite numbers, sizes mlpviz's datasets fit) and settles the activation
and the cost: from the file where it says them, else from the caller, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlpviz.core.activations import ACTIVATIONS, get_activation
from mlpviz.core.costs import COSTS, get_cost
from mlpviz.core.datasets import DIGIT_NAMES, IMAGE_SIDE, N_INPUTS
from mlpviz.core.imports.files import MAX_NEURONS, ModelImportError
from mlpviz.core.network import Network

SOFTMAX, LOG_SOFTMAX, NOTHING = "softmax", "log_softmax", "none"  # what may follow a layer
N_CLASSES = len(DIGIT_NAMES)
OURS = "mlpviz model"  # the format name of our own model files


class ImportNeedsChoice(ModelImportError):
    """The file does not say the activation and/or the cost: the caller must choose.
    `missing` lists "activation" and/or "cost"; `choices[what]` the names that fit this file."""

    def __init__(self, message: str, missing: tuple[str, ...], choices: dict[str, tuple[str, ...]]):
        super().__init__(message)
        self.missing = missing
        self.choices = choices


@dataclass(frozen=True, eq=False)
class Layer:
    """One linear layer as read from a file: z = W a + b.

    name        how the file names it ("0", "dense_1", "Gemm_3")
    W           (n_out, n_in), ours: row j holds the weights into neuron j
    b           (n_out,)
    transposed  the file stored W as (n_in, n_out) (Keras kernels, MatMul, Gemm without transB)
    after       what the file says follows it: an activation name ("sigmoid" …), "softmax",
                "log_softmax", "none" (the file says nothing follows: the output is z itself), or
                None (the file does not say: a bare state dict)
    """

    name: str
    W: np.ndarray
    b: np.ndarray
    transposed: bool = False
    after: str | None = None


@dataclass(frozen=True, eq=False)
class ImportedModel:
    """A network read from another program's file, and where each part of it came from.

    network            our Network (float64 copies of the file's numbers, W as (out, in))
    path, format       the file and what it was read as ("ONNX graph", "PyTorch state dict
                       (.safetensors)" …)
    transposed         the file stored weights as (in, out) and they were transposed on import
    activation_from    "file" or "caller": who said the hidden layers' activation
    cost_from          "file" or "caller": who said the cost (the file says it through its
                       output: a softmax means cross-entropy)
    layer_names        each weight layer's name in the file, in order
    notes              further plain sentences (skipped Dropout, zero biases, layer order …)
    file_metadata      the metadata the file itself carries (our own model files' training
                       history); {} for other programs' files
    """

    network: Network
    path: str
    format: str
    transposed: bool
    activation_from: str
    cost_from: str
    layer_names: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    file_metadata: dict = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Plain lines saying what was read, for the command line and the app."""
        net = self.network
        sizes = " → ".join(str(s) for s in net.sizes)
        lines = [f"{self.path}: {self.format}, {sizes} ({net.parameter_count:,} parameters)",
                 f"activation {net.activation} ({_who(self.activation_from)}), cost {net.cost} "
                 f"({_who(self.cost_from)})"]
        if self.transposed:
            lines.append("weights were stored (in, out) and were transposed to mlpviz's (out, in)")
        lines.append(f"layers in the file: {', '.join(self.layer_names)}")
        lines += list(self.notes)
        return lines

    def metadata(self) -> dict:
        """What our model file keeps: the file's own metadata, plus where an import came from
        (JSON-serialisable; nothing is added for our own model files)."""
        if self.format == OURS:
            return dict(self.file_metadata)
        return {**self.file_metadata, "imported_from": self.path, "import_format": self.format,
                "import_transposed": self.transposed,
                "activation_from": self.activation_from, "cost_from": self.cost_from,
                "import_layers": list(self.layer_names), "import_notes": list(self.notes)}


def _who(source: str) -> str:
    return "said by the file" if source == "file" else "given by you"


def build(layers: list[Layer], path, fmt: str, activation: str | None = None,
          cost: str | None = None, notes: tuple[str, ...] = ()) -> ImportedModel:
    """Check `layers` as a plain MLP and build the network; `activation` / `cost` are the
    caller's choices (needed where the file does not say them, refused where they contradict it)."""
    if not layers:
        raise ModelImportError(f"{path}: no linear layers found")
    sizes = _check_shapes(layers, path)
    act, cost_name, act_from, cost_from, cost_notes = _choices(layers, activation, cost, path)
    _check_dataset_fit(sizes, path)
    for lay in layers:
        if not (np.isfinite(lay.W).all() and np.isfinite(lay.b).all()):
            raise ModelImportError(f"{path}: layer '{lay.name}' holds NaN or infinite weights")
    net = Network.from_parameters(sizes, act, cost_name, [lay.W for lay in layers],
                                  [lay.b for lay in layers])
    return ImportedModel(
        network=net, path=str(path), format=fmt,
        transposed=any(lay.transposed for lay in layers),
        activation_from=act_from, cost_from=cost_from,
        layer_names=tuple(lay.name for lay in layers), notes=tuple(notes) + cost_notes)


def _check_shapes(layers: list[Layer], path) -> list[int]:
    """sizes [n_in, n_1, …, n_out] if every W is 2-D, every b fits, and the layers chain."""
    for lay in layers:
        if lay.W.ndim != 2:
            raise ModelImportError(f"{path}: layer '{lay.name}' has weights of shape "
                                   f"{lay.W.shape}; a linear layer's are 2-D")
        if lay.b.shape != (lay.W.shape[0],):
            raise ModelImportError(f"{path}: layer '{lay.name}' has {lay.W.shape[0]} outputs "
                                   f"but a bias of shape {lay.b.shape}")
        if max(lay.W.shape) > max(MAX_NEURONS, N_INPUTS):
            raise ModelImportError(f"{path}: layer '{lay.name}' has shape {lay.W.shape}; mlpviz "
                                   f"takes layers of at most {MAX_NEURONS:,} neurons")
    for prev, lay in zip(layers, layers[1:]):
        if lay.W.shape[1] != prev.W.shape[0]:
            hint = (" (were they stored (in, out)? a PyTorch weight is (out, in))"
                    if lay.W.shape[0] == prev.W.shape[0] else "")
            raise ModelImportError(
                f"{path}: layer '{lay.name}' takes {lay.W.shape[1]} inputs but layer "
                f"'{prev.name}' before it gives {prev.W.shape[0]}: the shapes do not chain{hint}")
    return [layers[0].W.shape[1]] + [lay.W.shape[0] for lay in layers]


def _choices(layers: list[Layer], activation: str | None, cost: str | None, path):
    """(activation, cost, who said the activation, who said the cost, notes); when the file says
    neither and the caller gave neither, one ImportNeedsChoice names both."""
    needs: list[ImportNeedsChoice] = []
    act = act_from = cost_name = cost_from = None
    notes: tuple[str, ...] = ()
    try:
        act, act_from = _activation(layers, activation, path)
    except ImportNeedsChoice as e:
        needs.append(e)
    try:
        cost_name, cost_from, notes = _cost(layers[-1], cost, path)
    except ImportNeedsChoice as e:
        needs.append(e)
    if len(needs) == 1:
        raise needs[0]
    if needs:
        act_e, cost_e = needs
        raise ImportNeedsChoice(
            f"{path} does not say which activation its layers use nor which cost it was trained "
            f"with: give them (--activation {'|'.join(act_e.choices['activation'])} --cost "
            f"{'|'.join(cost_e.choices['cost'])})", ("activation", "cost"),
            {**act_e.choices, **cost_e.choices})
    return act, cost_name, act_from, cost_from, notes


def _activation(layers: list[Layer], given: str | None, path) -> tuple[str, str]:
    """The one activation of the hidden layers and who said it ("file" or "caller")."""
    if given is not None:
        get_activation(given)  # a clear error for an unknown name
    said: dict[str, str] = {}
    for lay in layers[:-1]:
        if lay.after in (SOFTMAX, LOG_SOFTMAX):
            raise ModelImportError(f"{path}: a softmax follows layer '{lay.name}'; in a plain MLP "
                                   "only the output layer may be a softmax")
        if lay.after == NOTHING:
            raise ModelImportError(f"{path}: no activation follows layer '{lay.name}' (two "
                                   "linear layers in a row): not a plain MLP")
        if lay.after is not None:
            said.setdefault(lay.after, lay.name)
    out = layers[-1].after
    if out in ACTIVATIONS:
        said.setdefault(out, layers[-1].name)
    if len(said) > 1:
        which = ", ".join(f"{a} after '{name}'" for a, name in said.items())
        raise ModelImportError(f"{path}: different activations per layer ({which}); mlpviz's "
                               "networks use one activation throughout")
    if said:
        (name,) = said
        if given is not None and given != name:
            raise ModelImportError(f"{path}: the file says the activation is {name}, but "
                                   f"{given} was given")
        return name, "file"
    if given is None:
        raise ImportNeedsChoice(
            f"{path} does not say which activation its layers use: give it (--activation "
            f"{'|'.join(ACTIVATIONS)})", ("activation",), {"activation": tuple(ACTIVATIONS)})
    return given, "caller"


def _cost(last: Layer, given: str | None, path) -> tuple[str, str, tuple[str, ...]]:
    """The cost, who said it, and notes. The file says it through its output: a softmax is
    cross-entropy's output; σ at the output fits only a cost whose output is σ, but the file does
    not name the loss, so the caller must; bare logits fit a softmax cost once the caller says so."""
    softmax_costs = tuple(c.name for c in COSTS.values() if c.softmax_output)
    sigma_costs = tuple(c.name for c in COSTS.values() if not c.softmax_output)
    if given is not None:
        get_cost(given)
    out = last.after
    if out in (SOFTMAX, LOG_SOFTMAX):
        fits, said = softmax_costs, f"its output is a {'log-' if out == LOG_SOFTMAX else ''}softmax"
    elif out == NOTHING:
        fits, said = softmax_costs, "its output has no activation (logits)"
    elif out is None:
        fits, said = tuple(COSTS), ""
    else:
        fits, said = sigma_costs, f"its output is {get_activation(out).symbol}(z)"
    if given is not None and given not in fits:
        raise ModelImportError(f"{path}: {said}, which {given} does not fit (it fits "
                               f"{' or '.join(fits)})")
    if out in (SOFTMAX, LOG_SOFTMAX) and given is None and len(fits) == 1:
        note = ("the file's log-softmax output is shown as the softmax (probabilities); the "
                "cost is the same",) if out == LOG_SOFTMAX else ()
        return fits[0], "file", note
    if given is None:
        why = f" ({said})" if said else ""
        raise ImportNeedsChoice(f"{path} does not say which cost it was trained with{why}: give "
                                f"it (--cost {'|'.join(fits)})", ("cost",), {"cost": fits})
    notes = ("the file's output is logits; cross-entropy's softmax is added as the output "
             "layer",) if out == NOTHING else ()
    return given, ("file" if out in (SOFTMAX, LOG_SOFTMAX) else "caller"), notes


def _check_dataset_fit(sizes: list[int], path) -> None:
    """mlpviz's datasets (MNIST, Fashion-MNIST, any folder of MNIST-format files) are 28×28
    pixels in 10 classes: the network must take 784 inputs and give 10 outputs."""
    if sizes[0] != N_INPUTS or sizes[-1] != N_CLASSES:
        raise ModelImportError(
            f"{path}: the network takes {sizes[0]} inputs and gives {sizes[-1]} outputs; "
            f"mlpviz's datasets (MNIST, Fashion-MNIST and folders of MNIST-format files) have "
            f"{IMAGE_SIDE}×{IMAGE_SIDE} = {N_INPUTS} pixels and {N_CLASSES} classes")
