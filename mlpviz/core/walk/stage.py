"""The walk as data: a `Stage` is one idea of the lesson with every number it shows (text, formula,
table, overlay); a `Walk` is the ordered stages of one (network, sample) with its trace."""

from __future__ import annotations

from dataclasses import dataclass

from mlpviz.core.network import Network, Trace
from mlpviz.core.overlay import Overlay
from mlpviz.i18n import _, tidy


@dataclass(frozen=True, eq=False)
class Stage:
    """One idea of the walk, with every number it shows.

    key         stable identifier ("forward-1", "cost", "lever-bias", "sum-2", …)
    number      the stage's number in the lesson's order (1–9); sub-stages share it
    title       short title, with its number ("4b · Lever 2: the weights")
    text        one or two plain sentences with the real numbers
    formula     the formula with its actual numbers (unicode math)
    rows        the table, already formatted (numbers through `fmt_sig` / `fmt_fixed`)
    values      every number the stage shows, keyed (arrays or floats), for tests and tooltips
    overlay     what the network view emphasises
    columns     the table's header
    row_values  the exact float behind each cell of `rows` (None for text cells)
    signed      columns holding nudges (−∂C/∂·): shown green when positive, red when negative
    short       a shorter title for the list of stages
    highlight   the row the text and formula talk about (the right answer, the most-wanted neuron)
    claims      the comparative statements in `text`, as data (`core.walk.claims.Claim`): each
                one's relation and numbers, checked when it was written
    refused     claims the stage meant to make that its numbers deny: left out of `text` (a bug
                the tests catch, never a crash on screen)
    """

    key: str
    number: int
    title: str
    text: str
    formula: str
    rows: tuple[tuple[str, ...], ...]
    values: dict
    overlay: Overlay
    columns: tuple[str, ...] = ()
    row_values: tuple[tuple[float | None, ...], ...] = ()
    signed: tuple[int, ...] = ()
    short: str = ""
    highlight: int | None = None
    claims: tuple = ()
    refused: tuple = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", tidy(self.text))  # spaced as the language writes

    @property
    def label(self) -> str:
        """The stage's own number as the lesson writes it: "3", "4b" (the title's prefix)."""
        head = self.title.split(" · ")[0]
        return head if head[:1].isdigit() else str(self.number)


@dataclass(frozen=True, eq=False)
class Walk:
    """The whole walk for one (network, sample): its trace and stages, in order."""

    trace: Trace
    stages: list[Stage]
    focus: int  # the output neuron of stage 4
    lr: float
    after: Network  # the network after one gradient step (stage 8)

    def __len__(self) -> int:
        return len(self.stages)

    @property
    def parts(self) -> int:
        """How many numbered parts the lesson has (the last stage's number: 9)."""
        return max(s.number for s in self.stages)

    def position(self, i: int) -> str:
        """Where stage i sits, in the numbering the list of stages and the README use:
        "Stage 4b of 9"."""
        return _("Stage {label} of {parts}").format(label=self.stages[i].label, parts=self.parts)

    def index(self, key: str) -> int:
        """Position of the stage with this key; ValueError if there is none."""
        for i, s in enumerate(self.stages):
            if s.key == key:
                return i
        raise ValueError(f"no stage {key!r}")

    def stage(self, key: str) -> Stage:
        return self.stages[self.index(key)]

