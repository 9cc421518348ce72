"""A stage's comparative statements as data: a `Claim` is the relation a sentence states ("X matters
more than Y", "X most", "near its target", "none of its levers work", "k of n", "already says d"),
the names it compares and the numbers it compares them by, and the words written from it.

The stages write these sentences only through `Said` (`claim`, `first_true`), which refuses a claim
the numbers do not support, so a stage either states the true thing or says nothing: the words of a
refused claim are left out (never a crash in front of a class) and the claim is kept in
`Stage.refused`, which the tests require to be empty. The stage keeps its claims (`Stage.claims`)
so a test can check every one against the numbers again.

Relations, over the numbers v = (v₀, v₁, …):
  more     |v₀| > |v₁|                      "raising X matters more than lowering Y"
  most     v₀ ≠ 0 and |v₀| ≥ |vᵢ| for all i "neuron 3 most" (v₀ is also among the vᵢ)
  least    |v₀| ≤ |vᵢ| for all i            "the '7', the closest to its target"
  highest  v₀ ≥ vᵢ for all i (signed)       "the most active is neuron 4"
  near     |v₀ − v₁| ≤ NEAR                  "already near its target" (v₀ the value, v₁ the target)
  zero     every vᵢ = 0                     "none of its levers do anything", "no pixel is lit"
  equal    every vᵢ = v₀ (two or more)      "every output is 0.00: no answer"
  acts     v₀ ≠ 0                           "raise it and the output rises"
  up       every vᵢ > 0;  down  every vᵢ < 0
  count    v₀ = the number of nonzero v₁, v₂, …   "k of these n disagree"
  says     v₀ = argmax(v₂, v₃, …) and v₁ = v₂₊ᵥ₀  "the network already says 2 (0.81)"
  rises    v₁ > v₀                           "the cost went UP"
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEAR = 0.1  # "near its target": within this distance of it

RELATIONS = ("more", "most", "least", "highest", "near", "zero", "equal", "acts", "up", "down",
             "count", "says", "rises")


class FalseClaim(ValueError):
    """A stage tried to write a claim its numbers do not support."""


@dataclass(frozen=True, eq=False)
class Claim:
    """One statement a stage makes: `relation` (one of RELATIONS) over `values`, about `names`
    (what is compared, for messages), written as `text` (the words on screen)."""

    relation: str
    names: tuple[str, ...]
    values: np.ndarray  # float64, read-only
    text: str

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"unknown relation {self.relation!r}")
        v = np.array(self.values, dtype=np.float64).ravel()
        v.flags.writeable = False
        object.__setattr__(self, "values", v)

    def holds(self) -> bool:
        """Whether the numbers support the claim."""
        v = self.values
        if not np.all(np.isfinite(v)):
            return False
        r, m = self.relation, np.abs(v)
        if r == "more":
            return bool(m[0] > m[1])
        if r == "most":
            return bool(v[0] != 0 and m[0] >= m.max())
        if r == "least":
            return bool(m[0] <= m.min())
        if r == "highest":
            return bool(v[0] >= v.max())
        if r == "near":
            return bool(abs(v[0] - v[1]) <= NEAR)
        if r == "zero":
            return bool(np.all(v == 0))
        if r == "equal":
            return bool(len(v) > 1 and np.all(v == v[0]))
        if r == "acts":
            return bool(v[0] != 0)
        if r == "up":
            return bool(len(v) and np.all(v > 0))
        if r == "down":
            return bool(len(v) and np.all(v < 0))
        if r == "count":
            return bool(v[0] == np.count_nonzero(v[1:]))
        if r == "says":
            d = int(v[0])
            return bool(v[0] == d and 0 <= d < len(v) - 2 and int(np.argmax(v[2:])) == d
                        and v[1] == v[2 + d])
        return bool(v[1] > v[0])  # rises

    def __repr__(self) -> str:
        return f"Claim({self.relation}, {self.names}, {self.values[:6].tolist()}…, {self.text!r})"


def claim(relation: str, names, values, text: str) -> Claim:
    """A claim the numbers support; `FalseClaim` if they do not (the stage must not write it)."""
    c = Claim(relation, tuple(str(n) for n in names), values, text)
    if not c.holds():
        raise FalseClaim(f"the numbers do not support {c!r}")
    return c


def first_true(*options: tuple) -> Claim | None:
    """The first of several (relation, names, values, text) the numbers support, or None: a stage
    lists what it could say, best first, and writes the first true one (or nothing)."""
    for relation, names, values, text in options:
        c = Claim(relation, tuple(str(n) for n in names), values, text)
        if c.holds():
            return c
    return None


class Said:
    """The sentences of one stage being written, with the claims in them."""

    def __init__(self) -> None:
        self.claims: list[Claim] = []
        self.refused: list[Claim] = []  # claims a stage meant to make that the numbers deny

    def __call__(self, c: Claim | None) -> str:
        """The words of claim c, kept with the stage ("" for None: nothing true to say)."""
        if c is None:
            return ""
        self.claims.append(c)
        return c.text

    def claim(self, relation: str, names, values, text: str) -> str:
        """The words of a claim the stage is sure of, kept with the stage; if the numbers do not
        support it after all, nothing is written and the claim is kept in `refused`."""
        c = Claim(relation, tuple(str(n) for n in names), values, text)
        if c.holds():
            return self(c)
        self.refused.append(c)
        return ""

    def first(self, *options: tuple) -> str:
        """`first_true(…)`'s words, kept with the stage ("" if none is true)."""
        return self(first_true(*options))

    def fields(self) -> dict:
        """The claims (and any refused ones) as `Stage` fields."""
        return {"claims": tuple(self.claims), "refused": tuple(self.refused)}
