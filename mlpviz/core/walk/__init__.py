"""The backpropagation walk for one sample: a list of stages, one idea each, with the real numbers.

Every number a stage shows is read from the core's `Trace` (activations, ∂C/∂a, ∂C/∂z, the wishes,
∂C/∂W, ∂C/∂b); nothing here re-derives backpropagation. The stages follow the lesson (points 8–17),
one module each:

  forward   1  the forward pass, one layer at a time
  cost      2  the cost of this sample;  3  what the outputs want
  levers    4  the three levers of one output neuron;  6  the same levers, one layer further back
  wishes    5  every output's wishes, added up;  6  each hidden layer's wishes, added up
  ranking   7  the whole gradient, its biggest components first
  step      8  one gradient step: before and after
  batch     9  from one sample to a mini-batch

Off the walk: the chain rule for one weight (`chain`) and the gradient check (`check`). Shared:
`Stage`/`Walk` (stage; `Walk.position` is the "Stage 4b of 9" the stepper shows), the table
builder (table), the context and its words (context), and the claims (claims): every comparison
a stage states ("X matters more than Y", "most", "near its target", "none of its levers work") is
a `Claim` — relation, names, numbers — written only when the numbers support it and kept in
`Stage.claims` so tests check it again;
`build_walk` (build) puts the stages in order. The math the walk shows lives where it is owned:
`core.gradient` (ranking, batch wishes), `core.gradcheck` (numerical derivatives, the check).

Notation in the texts follows the lesson: layers 0 … L, a⁽ˡ⁾ the activations of layer l, and
w⁽ˡ⁾, b⁽ˡ⁾ the weights and biases INTO layer l — so w⁽ˡ⁾ⱼₖ is `Network.weights[l − 1][j, k]`.
Function arguments use the code's indexing: weight layer l maps neuron layer l to l + 1.
"""

from mlpviz.core.gradcheck import (
    GradCheckReport, check_parameter, numerical_weight_gradient, per_layer_gradcheck,
)
from mlpviz.core.gradient import BatchWishes, batch_wishes, top_parameters
from mlpviz.core.walk.build import build_walk
from mlpviz.core.walk.chain import chain_rule
from mlpviz.core.walk.check import gradcheck_stage
from mlpviz.core.walk.context import DIGITS
from mlpviz.core.walk.stage import Stage, Walk
from mlpviz.core.walk.step import gradient_step

__all__ = [
    "DIGITS", "BatchWishes", "GradCheckReport", "Stage", "Walk", "batch_wishes", "build_walk",
    "chain_rule", "check_parameter", "gradcheck_stage", "gradient_step", "numerical_weight_gradient",
    "per_layer_gradcheck", "top_parameters",
]
