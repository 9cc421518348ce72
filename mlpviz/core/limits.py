"""How big a network may be, one name per meaning, and the one check the command line, the
Session and the toolbar share.

The command line trains hidden layers of up to MAX_HIDDEN_SIZE_TRAIN neurons, as many as asked
for (none too: the inputs then feed the outputs directly). The app draws every neuron and line,
so it takes 1 to MAX_HIDDEN_LAYERS_DRAWN hidden layers of up to MAX_HIDDEN_SIZE_DRAWN neurons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from mlpviz.core.activations import ACTIVATIONS
from mlpviz.core.costs import COSTS
from mlpviz.i18n import _, count


class Dataset(Protocol):
    """What the checks need of a core.datasets.Dataset (not imported: datasets reads IDX files,
    whose limits are here)."""

    name: str
    n_inputs: int
    n_classes: int

MAX_HIDDEN_SIZE_TRAIN = 10_000  # a 784 × 10,000 layer is 7.8 million weights: big, but it trains
MAX_HIDDEN_LAYERS_DRAWN = 4  # what the network view lays out and the toolbar accepts
MAX_HIDDEN_SIZE_DRAWN = 128

# What a file may declare before anything is inflated (core.model_file, core.npz, core.idx): a
# small file must not make mlpviz allocate gigabytes (a decompression bomb).
MAX_LAYER_SIZE = MAX_HIDDEN_SIZE_TRAIN  # neurons in any layer of a model file, inputs included
MAX_MODEL_PARAMETERS = 20_000_000  # numbers in one model file: 160 MB as float64
MAX_METADATA_CHARS = 16 * 2**20  # a model file's JSON metadata (10,000 epochs of history: ~3 MB)
MAX_LESSON_NUMBERS = 3 * MAX_MODEL_PARAMETERS  # a lesson file's arrays: the network, and its
# checkpoints, baseline runs and pins (core.lesson_file)
MAX_IDX_BYTES = 1 * 2**30  # one IDX file's data: MNIST's training images are 47 MB
MAX_DATASET_SAMPLES = 1_000_000  # per split of a dataset folder (MNIST: 60,000); the images
# file then holds at most 784 MB, the labels file 1 MB, whatever its header says


@dataclass(frozen=True)
class Limits:
    """Hidden layers allowed: min_layers … max_layers of them (None: no upper bound), each of
    1 … max_size neurons."""

    min_layers: int
    max_layers: int | None
    max_size: int

    def layers_text(self) -> str:
        """How many hidden layers, in words: "1 to 4", "0 or more"."""
        if self.max_layers is None:
            return _("{min} or more").format(min=self.min_layers)
        return _("{min} to {max}").format(min=self.min_layers, max=self.max_layers)


TRAINED = Limits(0, None, MAX_HIDDEN_SIZE_TRAIN)  # the command line: mlpviz train, gradcheck
DRAWN = Limits(1, MAX_HIDDEN_LAYERS_DRAWN, MAX_HIDDEN_SIZE_DRAWN)  # the app: Session, toolbar


def parse_hidden(text: str) -> list[int]:
    """Hidden layer sizes typed as text: "16,16" → [16, 16], " 32 , 8 " → [32, 8], "" → [].
    ValueError unless every entry is a positive whole number; an empty entry ("16,,16", "16,")
    is a typo, not a layer. The sizes are not checked against any Limits (see hidden_problem)."""
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        sizes = []
    if len(sizes) != len(parts) or any(s < 1 for s in sizes):
        raise ValueError(f"expected hidden layer sizes as positive whole numbers separated by "
                         f"commas (e.g. 16,16), got {text!r}")
    return sizes


def hidden_problem(hidden: Sequence[int], limits: Limits) -> str | None:
    """Why the hidden layer sizes `hidden` (whole numbers) break `limits` (a sentence), or None."""
    n = len(hidden)
    if n < limits.min_layers or (limits.max_layers is not None and n > limits.max_layers):
        return _("The network needs {count} hidden layers, not {n}.").format(
            count=limits.layers_text(), n=n)
    for size in hidden:
        if not 1 <= size <= limits.max_size:
            return _("A hidden layer holds at least 1 and at most {most} neurons; {size} is "
                     "outside that range.").format(most=count(limits.max_size), size=count(size))
    return None


def fit_problem(sizes: Sequence[int], dataset: Dataset) -> str | None:
    """Why a network of layer `sizes` cannot read `dataset` (a sentence), or None: the input layer
    needs one neuron per pixel, the output layer one per class."""
    if sizes[0] != dataset.n_inputs:
        return _("The input layer must have {n} neurons, one per pixel of {data}, not "
                 "{given}.").format(n=dataset.n_inputs, data=_(dataset.name), given=sizes[0])
    if sizes[-1] != dataset.n_classes:
        return _("The output layer must have {n} neurons, one per class of {data}, not "
                 "{given}.").format(n=dataset.n_classes, data=_(dataset.name), given=sizes[-1])
    return None


def architecture_problem(sizes: Sequence[int], activation: str, cost: str, seed,
                         dataset: Dataset, limits: Limits = DRAWN) -> str | None:
    """Why a network of layer `sizes` (input, hidden …, output), this activation, cost and seed
    cannot be trained on `dataset` within `limits` (a sentence), or None if it can."""
    try:
        sizes = [int(s) for s in sizes]
    except (TypeError, ValueError):
        return _("The layer sizes {sizes} are not whole numbers.").format(sizes=repr(sizes))
    if len(sizes) < 2:
        return _("The network needs at least an input and an output layer, not {sizes}.").format(
            sizes=sizes)
    problem = fit_problem(sizes, dataset) or hidden_problem(sizes[1:-1], limits)
    if problem:
        return problem
    if activation not in ACTIVATIONS:
        return _("Unknown activation {name}; choose one of {names}.").format(
            name=repr(activation), names=", ".join(ACTIVATIONS))
    if cost not in COSTS:
        return _("Unknown cost {name}; choose one of {names}.").format(
            name=repr(cost), names=", ".join(COSTS))
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        return _("The seed must be a whole number ≥ 0, not {seed}.").format(seed=repr(seed))
    return None
