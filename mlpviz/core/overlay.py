"""What the network view should emphasise on top of the plain network: pure data, no Qt.

The backprop stepper (and the gradient view) describe each stage as an `Overlay`; the network view
draws it. Indices follow `Network`: neuron layers 0 … L, weight layers 0 … L−1 (l maps l to l+1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class Overlay:
    """A stage's emphasis.

    lit_layers     neuron layers 0 … lit_layers−1 show their activations; later layers are drawn
                   unlit (dark). None: all lit. (The forward pass lights the layers in turn.)
    nudges         layer → signed value per neuron: an arrow on the circle, up (green) for +,
                   down (red) for −, its length ∝ |value| / max |value| of that layer.
    line_values    weight layer l → (sizes[l+1], sizes[l]) signed values that colour that layer's
                   lines instead of the weights (green +, red −, strength ∝ |value|); weight layers
                   not listed are drawn dimmed when `dim_others` is set.
    focus          (layer, neuron) drawn with a bright ring; its lines stay bright.
    neuron_text    (layer, neuron) → short text drawn beside that neuron (e.g. "+0.42").
    dim_others     fade what the stage is not about.
    caption        one short line the view may show at its top.
    """

    lit_layers: int | None = None
    nudges: dict[int, np.ndarray] = field(default_factory=dict)
    line_values: dict[int, np.ndarray] = field(default_factory=dict)
    focus: tuple[int, int] | None = None
    neuron_text: dict[tuple[int, int], str] = field(default_factory=dict)
    dim_others: bool = False
    caption: str = ""
