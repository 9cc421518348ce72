"""explain.widest_activation_text: the room kept beside the outputs holds every value."""

import numpy as np
import pytest

from mlpviz.core.activations import ACTIVATIONS, get_activation
from mlpviz.core.explain import activation_text, widest_activation_text


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("softmax", [False, True])
def test_no_output_text_is_longer_than_the_room_kept(name, softmax):
    act = get_activation(name)
    lo, hi = (0.0, 1.0) if softmax else (act.lo, min(act.hi, 1.7e308))
    rng = np.random.default_rng(0)
    values = np.concatenate([[lo, hi, -0.004, 0.999], rng.uniform(lo, hi, 200),
                             10.0 ** rng.uniform(-3, np.log10(hi), 200) if hi > 1 else []])
    values = values[(values >= lo) & (values <= hi)]
    room = widest_activation_text(act, softmax)
    assert max(len(activation_text(v)) for v in values) <= len(room)
