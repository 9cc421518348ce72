"""The table builder every stage uses: formatted cells, with the exact float behind each kept."""

from __future__ import annotations

from typing import Sequence

from mlpviz.core.notation import fmt_fixed, fmt_sig


class Table:
    """Rows of cells: a cell is text, a number shown through `fmt_sig` (its float kept), or
    (number, digits) where digits is a count of significant digits or "f2" (two fixed decimals).
    Columns listed in `signed` hold nudges and show "+" in front of positive numbers."""

    def __init__(self, *columns: str, signed: Sequence[int] = ()):
        self.columns = tuple(columns)
        self.signed = tuple(signed)
        self.rows: list[tuple[str, ...]] = []
        self.values: list[tuple[float | None, ...]] = []

    def add(self, *cells, digits: int = 4) -> None:
        """One row; numbers without their own digits get `digits` significant digits."""
        texts, nums = [], []
        for c, cell in enumerate(cells):
            if isinstance(cell, str):
                texts.append(cell)
                nums.append(None)
                continue
            v, d = (float(cell[0]), cell[1]) if isinstance(cell, tuple) else (float(cell), digits)
            if isinstance(d, str):  # "f2": two fixed decimals
                texts.append(fmt_fixed(v, int(d[1:]), signed=c in self.signed))
            else:
                texts.append(fmt_sig(v, d, signed=c in self.signed))
            nums.append(v)
        self.rows.append(tuple(texts))
        self.values.append(tuple(nums))

    def fields(self) -> dict:
        """The table as `Stage` fields: rows, row_values, columns, signed."""
        return dict(rows=tuple(self.rows), row_values=tuple(self.values), columns=self.columns,
                    signed=self.signed)
