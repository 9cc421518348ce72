"""How often the backprop walk's sentences are false, over the held-out samples of the bundled data.

Run:  .venv/bin/python benchmarks/bench_walk_sentences.py [N]

For the default architecture with sigmoid, tanh and relu (mse, seed 0, untrained) it builds the
walk of each of the first N held-out samples (default 2,000) and counts, by reading the words
(not the claims the stages keep): stage 3's "raising/lowering the 'X' matters more than … the 'Y'"
where |nudge X| ≤ |nudge Y|; "every other output down" where another output's nudge is ≥ 0; an
ASCII "-" before a digit; a focused output that is off (∂C/∂z = 0) whose weights "matter most" or
whose wishes say what "should get" brighter; brightness talk for tanh and relu (after stage 1a,
which speaks of pixels). Then the empty image and an all-zero gradient: "∞" on screen. Every
figure should be 0 / False; before issue 9 the sigmoid network had 225 false comparisons in 2,000
(11 %), tanh 1,192.
"""

from __future__ import annotations

import re
import sys

import numpy as np

from mlpviz.core.datasets import load_bundled
from mlpviz.core.network import Network
from mlpviz.core.walk import build_walk

MORE = re.compile(r"(?:raising|lowering|moving|changing) the '(\d)' matters more than "
                  r"(?:raising|lowering|moving|changing) the '(\d)'")
BRIGHT = re.compile(r"dark ones|lit at|should be dark|brighter|dimmer|brightest neurons")


def false_sentences(walk, label: int, speaks_brightness: bool) -> dict[str, int]:
    """The false sentences of one walk, by kind (0 or more each)."""
    s = walk.stage("wants")
    n = s.values["nudges"]
    texts = " ".join(st.text + st.formula for st in walk.stages[1:])  # 1a speaks of pixels
    others = np.delete(n, label)
    off = walk.trace.grad_z[-1][walk.focus] == 0
    return {
        "false 'matters more'": sum(abs(n[int(a)]) <= abs(n[int(b)])
                                    for a, b in MORE.findall(s.text)),
        "'every other output down' false": int("every other output down" in s.text
                                               and bool((others >= 0).any())),
        "ASCII minus": int(bool(re.search(r"-\d", texts))),
        "zero lever described acting": int(off and (
            "should get" in walk.stage("lever-activations").text
            or "matter most" in walk.stage("lever-weights").text)),
        "brightness talk (tanh/relu)": int(not speaks_brightness and bool(BRIGHT.search(texts))),
    }


def main(n: int) -> None:
    d = load_bundled()
    X, Y = d.test_images[:n] / 255.0, d.test_labels[:n].astype(int)
    for act in ("sigmoid", "tanh", "relu"):
        net = Network([784, 16, 16, 10], act, "mse", seed=0)
        totals: dict[str, int] = {}
        for x, y in zip(X, Y):
            for kind, k in false_sentences(build_walk(net, x, int(y)), int(y),
                                           net.act.speaks_brightness).items():
                totals[kind] = totals.get(kind, 0) + k
        print(f"{act}: walks {len(Y)}; " + "; ".join(f"{k} {v}" for k, v in totals.items()))
    net = Network([784, 16, 16, 10], "relu", seed=0)
    w = build_walk(net, np.zeros(784), 3)
    print("empty image, relu: '∞' on screen:", any("∞" in s.text + s.formula for s in w.stages),
          "| 'pixel 0 (row 0, col 0) most':", "pixel 0 (row 0, col 0) most" in
          w.stage("levers-1").text)
    net.biases[-1][:] = -100.0  # every output off: every derivative is 0
    w = build_walk(net, X[0], 7)
    print("all-zero gradient: '∞' on screen:", any("∞" in s.text + s.formula for s in w.stages))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
