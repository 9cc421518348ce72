"""What presentation mode shows of a stepper stage: its text a sentence or two at a time, and the
rows (and columns) of its table that matter.

On a projector the stage's text is set large, so only one or two sentences fit beside the network:
`sentences` cuts the text at its sentence ends (never inside a number such as 4.04 or an
abbreviation such as "e.g."), `pages` groups them, and the presenter moves through the pages with
a key. A 16-row table becomes the rows that matter (`key_rows`): the row the text talks about and
those with the largest numbers, in their order, with a key to show them all.

>>> sentences("C = 4.04. A perfect answer costs 0. The '1', e.g. at 0.94, costs most.")
['C = 4.04.', 'A perfect answer costs 0.', "The '1', e.g. at 0.94, costs most."]
>>> pages(["One.", "Two.", "Three."], 2)
[['One.', 'Two.'], ['Three.']]
>>> key_rows([(None, 0.1), (None, -0.9), (None, 0.5), (None, 0.0), (None, 0.2)], highlight=3,
...          signed=(1,), limit=3)
[1, 2, 3]
>>> key_columns([(None, 0.5, 0.1, -0.9, 0.2)], rows=[0], signed=(1, 2, 3, 4), limit=3)
[0, 1, 3]
>>> find_stage(["1a · Forward", "1b · Forward", "2 · The cost", "4b · Lever 2"], "1")
0
>>> find_stage(["1a · Forward", "1b · Forward", "2 · The cost", "4b · Lever 2"], "4B")
3
"""

from __future__ import annotations

import math
import re
from typing import Sequence

# A sentence ends at . ! or ? (perhaps closed by a quote or bracket) followed by white space and
# a capital, a digit, a quote or a bracket: "0.94. The" ends one, "0.94 when" and "e.g. the" do not.
# In Chinese it ends at 。！？ (perhaps closed by a quote or bracket), with or without a space.
_END = re.compile(r"(?<=[.!?])([’'\")\]]?)\s+(?=[A-Z0-9'\"‘“(ΣσηθΔ∂−])"
                  r"|(?<=[。！？])([”’」）]?)\s*(?=\S)")
_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "cf.", "etc.", "No.", "Fig.")


def sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, each with its closing punctuation; paragraphs (blank
    lines) end sentences too. Joined with spaces they give the text back (white space aside)."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        paragraph = " ".join(paragraph.split())
        start = 0
        for m in _END.finditer(paragraph):
            end = m.start() + len(m.group(1) or m.group(2) or "")
            piece = paragraph[start:end]
            if piece.endswith(_ABBREVIATIONS) or re.search(r"(^|\s)[A-Z]\.$", piece):
                continue  # "e.g. The" or an initial ("Y. LeCun") ends no sentence
            out.append(piece.strip())
            start = m.end()
        if paragraph[start:].strip():
            out.append(paragraph[start:].strip())
    return out


def pages(items: Sequence[str], per_page: int) -> list[list[str]]:
    """`items` in consecutive groups of `per_page` (at least 1); [] for no items."""
    n = max(1, int(per_page))
    return [list(items[i:i + n]) for i in range(0, len(items), n)]


def key_rows(row_values: Sequence[Sequence[float | None]], highlight: int | None,
             signed: Sequence[int], limit: int) -> list[int]:
    """The indices (ascending) of at most `limit` rows of a table that matter most: the
    `highlight` row (the one the text talks about), then the rows with the largest |value| in the
    `signed` columns (the nudges), or, in a table without any, in its last column of numbers.
    Ties keep the table's order; non-finite numbers count as the largest (they must show)."""
    n = len(row_values)
    limit = max(1, int(limit))
    if n <= limit + 1:  # hiding one row saves nothing: its "more" line takes its place
        return list(range(n))
    columns = list(signed) or _last_numeric_column(row_values)

    def size(r: int) -> float:
        vals = [row_values[r][c] for c in columns if c < len(row_values[r])]
        vals = [abs(v) if math.isfinite(v) else math.inf for v in vals if v is not None]
        return max(vals, default=0.0)

    chosen = [highlight] if highlight is not None and 0 <= highlight < n else []
    ranked = sorted((r for r in range(n) if r not in chosen), key=lambda r: (-size(r), r))
    return sorted(chosen + ranked[:limit - len(chosen)])


def key_columns(row_values: Sequence[Sequence[float | None]], rows: Sequence[int],
                signed: Sequence[int], limit: int) -> list[int]:
    """The indices (ascending) of the columns to show of a table too wide to read: every column
    that is not `signed` (names, indices), the first signed one (in a table of many, the sum),
    and the other signed columns with the largest |value| in `rows`, up to `limit` in all."""
    width = max((len(r) for r in row_values), default=0)
    if width <= limit + 1:
        return list(range(width))
    keep = [c for c in range(width) if c not in signed] + [c for c in list(signed)[:1]]
    rest = [c for c in signed[1:] if c < width]

    def size(c: int) -> float:
        vals = [row_values[r][c] for r in rows if c < len(row_values[r])]
        return max((abs(v) if math.isfinite(v) else math.inf for v in vals if v is not None),
                   default=0.0)

    ranked = sorted(rest, key=lambda c: (-size(c), c))
    return sorted(keep + ranked[:max(0, limit - len(keep))])


def _last_numeric_column(row_values: Sequence[Sequence[float | None]]) -> list[int]:
    width = max((len(r) for r in row_values), default=0)
    for c in reversed(range(width)):
        if any(c < len(r) and r[c] is not None for r in row_values):
            return [c]
    return []


def stage_label(title: str, position: int) -> str:
    """A stage's number as the stepper shows it ("4b" of "4b · Lever 2: the weights"); its
    1-based position in the walk when its title has none."""
    head, sep, _rest = title.partition(" · ")
    return head.strip() if sep and head.strip() else str(position + 1)


def find_stage(titles: Sequence[str], wanted: str) -> int | None:
    """The index of the stage numbered `wanted` ("5", "4b"; "1" is the first of 1a, 1b, …),
    None if the walk has no such stage."""
    wanted = str(wanted).strip().lower()
    labels = [stage_label(t, i).lower() for i, t in enumerate(titles)]
    if wanted in labels:
        return labels.index(wanted)
    for i, label in enumerate(labels):
        if label.startswith(wanted) and label[len(wanted):].isalpha():
            return i
    return None
