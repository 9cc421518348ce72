"""The whole walk for one sample: the stages of the lesson in order, built from one trace."""

from __future__ import annotations

import numpy as np

from mlpviz.core.network import Network
from mlpviz.core.palette import LESSON, Palette
from mlpviz.core.walk.batch import batch_stage
from mlpviz.core.walk.context import DIGITS, Context
from mlpviz.core.walk.cost import cost_stage, wants_stage
from mlpviz.core.walk.forward import input_stage, layer_stage
from mlpviz.core.walk.levers import (
    activations_stage, bias_stage, hidden_levers_stage, weights_stage,
)
from mlpviz.core.walk.ranking import gradient_stage
from mlpviz.core.walk.stage import Walk
from mlpviz.core.walk.step import gradient_step, step_stage
from mlpviz.core.walk.wishes import hidden_sum_stage, outputs_sum_stage


def build_walk(net: Network, x, label: int, class_names=DIGITS, focus: int | None = None,
               lr: float = 3.0, batch: tuple[np.ndarray, np.ndarray] | None = None,
               batch_size: int = 100, palette: Palette = LESSON) -> Walk:
    """The whole walk for sample x (sizes[0],) with its right class `label`: one backprop
    (`Network.backprop`), then the stages in the lesson's order, each reading the trace.

    focus       the output neuron of stage 4 (default: the right answer)
    lr          the learning rate of stage 8's step
    batch       (X (n, sizes[0]) in 0..1, labels (n,)) for stage 9; None shows an explanation only
    batch_size  the mini-batch size training uses, as stage 9 names it
    palette     the colours the lines are drawn in, as the texts name them (core.palette)
    """
    trace = net.backprop(x, label)
    n_out = net.sizes[-1]
    if len(class_names) != n_out:
        raise ValueError(f"{len(class_names)} class names for {n_out} outputs")
    focus = trace.label if focus is None else int(focus)
    if not 0 <= focus < n_out:
        raise ValueError(f"focus must be an output neuron 0..{n_out - 1}, got {focus}")
    c = Context(net, trace, class_names, lr, palette)
    L = net.L
    stages = [input_stage(c)] + [layer_stage(c, l) for l in range(1, L + 1)]
    stages += [cost_stage(c), wants_stage(c), bias_stage(c, focus), weights_stage(c, focus),
               activations_stage(c, focus)]
    if L >= 2:
        stages.append(outputs_sum_stage(c))
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for l in range(L - 1, 0, -1):
            stages.append(hidden_levers_stage(c, l, next(letters)))
            if l > 1:
                stages.append(hidden_sum_stage(c, l, next(letters)))
    after = gradient_step(net, trace, lr)
    stages += [gradient_stage(c), step_stage(c, after), batch_stage(c, batch, int(batch_size))]
    return Walk(trace, stages, focus, float(lr), after)

