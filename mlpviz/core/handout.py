"""The printable handout: the backprop walk for one sample as one page (HTML or Markdown) a teacher
prints or hands out — each stage's title, sentences, formula with its numbers, the rows of its
table that matter, and a picture of the network view at that stage.

Everything written here is read from the walk's stage records (`core.walk.Stage`): the text, the
formula and the table cells are the stepper's own strings, the rows and columns are the ones the
stepper shows while presenting (`core.presenting.key_rows` / `key_columns`, with its limits); no
number is computed again. The pictures arrive as PNG bytes (rendered by the GUI part,
`gui.handout_pictures`); this module only places them.

For print: A4, a stage never split across pages (page-break-inside: avoid), and legible in black
and white — a nudge's sign is written (+ / −) as well as coloured, the row the stage talks about is
bold and marked ▶. The pictures' two line colours are hard to tell apart in grey: the page says so
and points to the tables' signs and the pictures' arrows, which need no colour. The colours are
the palette's the walk was built with (core.palette: green/red, or the colour-blind blue/orange).
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from urllib.parse import quote

from mlpviz.core.notation import fmt_sig
from mlpviz.core.palette import LESSON, Palette
from mlpviz.core.presenting import key_columns, key_rows
from mlpviz.core.walk.context import lr_text
from mlpviz.i18n import N_, _, ngettext

# The rows and columns of a table the handout keeps: the stepper's while presenting
# (gui/views/stage_presenting.py KEY_ROWS / KEY_COLUMNS; a test holds them equal).
KEY_ROWS = 5
KEY_COLUMNS = 6

LANGUAGES = {"en": "English", "zh": "Chinese"}
AVAILABLE = ("en", "zh")  # languages the handout is written in today (mlpviz.i18n's catalog)


def language_problem(lang: str) -> str | None:
    """Why the handout cannot be written in `lang`, or None when it can."""
    if lang in AVAILABLE:
        return None
    if lang in LANGUAGES:
        return ("{language} is not available yet: the translations of the lesson are still "
                "being written; choose --lang en").format(language=LANGUAGES[lang])
    return "unknown language {lang!r}: choose one of {languages}".format(
        lang=lang, languages=", ".join(AVAILABLE))


@dataclass(frozen=True)
class Handout:
    """What one handout holds.

    stages     the walk's stages, in order (`Walk.stages`)
    positions  where each stage sits, as the stepper says it ("Stage 4b of 9", `Walk.position`)
    about      sentences on what is shown: the network and where it comes from (a model file, or
               a freshly seeded network), the sample, η and the mini-batch size
    pictures   PNG bytes of the network view at each stage (None: no picture for that stage)
    lang       the page's language code
    palette    the signs' colours (core.palette) the walk's texts name and the pictures use;
               the tables' nudges take its colours on white
    """

    stages: tuple
    positions: tuple[str, ...]
    about: tuple[str, ...]
    pictures: tuple[bytes | None, ...] = ()
    lang: str = "en"
    palette: Palette = LESSON
    title: str = N_("Backpropagation, one idea at a time")  # translated by `of`

    @classmethod
    def of(cls, walk, about, pictures=(), lang: str = "en",
           palette: Palette = LESSON) -> "Handout":
        """The handout of `walk` (a `core.walk.Walk`, built with `palette`)."""
        return cls(tuple(walk.stages), tuple(walk.position(i) for i in range(len(walk))),
                   tuple(about), tuple(pictures), lang, palette, _(cls.title))

    def picture(self, i: int) -> bytes | None:
        return self.pictures[i] if i < len(self.pictures) else None


@dataclass(frozen=True, eq=False)
class LessonOnShow:
    """What the app hands File › Export lesson…: the stepper's walk and what it was built from.

    walk         the walk on show (its stages are what the handout prints)
    palette      the signs' colours its texts name (the window's palette)
    snapshot     the network it walks (for the pictures)
    x            the sample, (sizes[0],) values 0..1
    class_names  the outputs' names
    description  where the sample comes from ("held-out sample #12", "your drawing")
    batch_size   the mini-batch size stage 9 names
    """

    walk: object
    snapshot: object
    x: object
    class_names: tuple[str, ...]
    description: str
    batch_size: int
    palette: Palette = LESSON


@dataclass(frozen=True)
class ShownTable:
    """The part of a stage's table the handout prints.

    columns   the header, one string per kept column
    rows      (row index in the stage, its kept cells' texts, their exact floats or None)
    signed    for each kept column, whether it holds nudges (shown with their sign)
    hidden    rows and columns left out (each counted)
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...], tuple[float | None, ...]], ...]
    signed: tuple[bool, ...]
    hidden: tuple[int, int] = (0, 0)
    highlight: int | None = None

    @property
    def more(self) -> str:
        """"… 11 more rows, 5 more columns in the app (Backprop tab)", or ""."""
        rows, columns = self.hidden
        parts = []
        if rows:
            parts.append(ngettext("{n} more row", "{n} more rows", rows).format(n=rows))
        if columns:
            parts.append(ngettext("{n} more column", "{n} more columns", columns)
                         .format(n=columns))
        if not parts:
            return ""
        return _("… {parts} in the app (Backprop tab)").format(parts=_(", ").join(parts))


@dataclass(frozen=True)
class StagePage:
    """One stage as the handout prints it: label ("4b"), title, paragraphs, formula, table."""

    index: int
    label: str
    key: str
    title: str
    paragraphs: tuple[str, ...]
    formula: str
    table: ShownTable | None
    caption: str
    position: str = ""


def shown_table(stage) -> ShownTable | None:
    """The rows and columns of `stage`'s table the stepper shows while presenting (None: the
    stage has no table)."""
    if not stage.rows:
        return None
    values = stage.row_values or tuple((None,) * len(r) for r in stage.rows)
    rows = key_rows(values, stage.highlight, stage.signed, KEY_ROWS) if stage.row_values \
        else list(range(len(stage.rows)))
    width = len(stage.columns or stage.rows[0])
    cols = key_columns(values, rows, stage.signed, KEY_COLUMNS) if stage.row_values \
        else list(range(width))
    header = stage.columns or ("",) * width
    return ShownTable(
        columns=tuple(header[c] for c in cols),
        rows=tuple((r, tuple(stage.rows[r][c] for c in cols), tuple(values[r][c] for c in cols))
                   for r in rows),
        signed=tuple(c in stage.signed for c in cols),
        hidden=(len(stage.rows) - len(rows), width - len(cols)),
        highlight=stage.highlight,
    )


def stage_pages(handout: Handout) -> list[StagePage]:
    """Every stage of the handout, in the walk's order, as it is printed."""
    pages = []
    for i, s in enumerate(handout.stages):
        paragraphs = tuple(" ".join(p.split()) for p in s.text.split("\n\n") if p.strip())
        pages.append(StagePage(i, s.label, s.key, s.title, paragraphs, s.formula, shown_table(s),
                               s.overlay.caption, handout.positions[i]))
    return pages


def picture_name(page: StagePage) -> str:
    """The file name of a stage's picture beside a Markdown handout: "stage-05-2.png"."""
    return f"stage-{page.index + 1:02d}-{page.label}.png"


def picture_alt(page: StagePage) -> str:
    return _("The network at stage {label}: {caption}").format(
        label=page.label, caption=page.caption or page.title)


# --- HTML --------------------------------------------------------------------------------------

_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
html { background: #fff; }
body { font-family: "DejaVu Sans", "Noto Sans", "Helvetica", "Noto Sans CJK SC", "Source Han Sans SC",
       "Microsoft YaHei", sans-serif; font-size: 10.5pt;
       line-height: 1.4; color: #000; max-width: 182mm; margin: 0 auto; padding: 6mm 0; }
h1 { font-size: 17pt; margin: 0 0 2mm 0; }
.about p { margin: 0.6mm 0; }
.how { font-size: 9pt; color: #333; border: 1px solid #999; padding: 1.5mm 3mm; margin: 3mm 0; }
section.stage { page-break-inside: avoid; break-inside: avoid; border-top: 1.5pt solid #000;
                margin-top: 6mm; padding-top: 2mm; }
h2 { font-size: 13pt; margin: 0 0 1.5mm 0; page-break-after: avoid; break-after: avoid; }
.position { font-size: 8.5pt; color: #444; float: right; font-weight: normal; }
section.stage p { margin: 1mm 0; }
pre.formula { font-family: "DejaVu Sans Mono", "Noto Sans Mono", monospace; font-size: 9.5pt;
              white-space: pre-wrap; background: #f2f2f2; border-left: 2.5pt solid #000;
              padding: 1.5mm 3mm; margin: 2mm 0; }
table { border-collapse: collapse; margin: 2mm 0 1mm 0; font-size: 9.5pt; }
th, td { border: 0.5pt solid #777; padding: 0.5mm 2mm; }
th { background: #e6e6e6; font-weight: bold; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.up { color: POSITIVE; }
td.down { color: NEGATIVE; }
tr.highlight td { font-weight: bold; }
tr.highlight td:first-child::before { content: "\\25B6\\00A0"; }
p.more { font-size: 8.5pt; color: #444; margin: 0; }
figure { margin: 2mm 0 0 0; text-align: center; }
figure img { width: 100%; max-height: 92mm; object-fit: contain; border: 0.5pt solid #999; }
@media print { body { padding: 0; } }
"""

_HOW_TO_READ = N_(
    "How to read it: each stage is one idea of the lesson, with the numbers of this network for "
    "this sample. In the tables a nudge (−∂C/∂·) carries its sign, + ({positive}) to grow, − "
    "({negative}) to shrink; the row the stage talks about is bold and marked ▶. In the pictures "
    "the lines are the weights, {positive} positive and {negative} negative, fainter the nearer "
    "to 0, unless the caption says they show something else; printed in black and white the two "
    "colours are hard to tell apart, so read the signs from the tables — the arrows on the "
    "neurons (up: should rise, down: should fall) need no colour.")


def how_to_read(palette: Palette) -> str:
    """The page's note on reading it, naming `palette`'s colours."""
    return _(_HOW_TO_READ).format(positive=_(palette.positive_word),
                                  negative=_(palette.negative_word))


def sign_inks(palette: Palette) -> tuple[str, str]:
    """The colours of + and − numbers on the printed page: `palette`'s pair for a white page,
    darkened to 70 % so that thin digits stay legible printed in grey (orange prints pale)."""
    signs = palette.on((255, 255, 255))
    return _darker(signs.positive), _darker(signs.negative)


def _darker(colour: str, factor: float = 0.7) -> str:
    rgb = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return "#" + "".join(f"{round(c * factor):02x}" for c in rgb)


def _css(palette: Palette) -> str:
    """The page's style sheet, the nudges in `palette`'s colours (`sign_inks`)."""
    positive, negative = sign_inks(palette)
    return _CSS.replace("POSITIVE", positive).replace("NEGATIVE", negative)


def to_html(handout: Handout) -> str:
    """The whole handout as one self-contained HTML page (the pictures inline as data: URIs)."""
    e = html.escape
    out = ["<!DOCTYPE html>", f'<html lang="{e(handout.lang)}">', "<head>",
           '<meta charset="utf-8">', f"<title>{e(handout.title)}</title>",
           f"<style>{_css(handout.palette)}</style>", "</head>", "<body>",
           f"<header><h1>{e(handout.title)}</h1>", '<div class="about">']
    out += [f"<p>{e(line)}</p>" for line in handout.about]
    out += ["</div>", f'<p class="how">{e(how_to_read(handout.palette))}</p>', "</header>"]
    for page in stage_pages(handout):
        out += _html_stage(page, handout.picture(page.index))
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _html_stage(page: StagePage, png: bytes | None) -> list[str]:
    e = html.escape
    out = [f'<section class="stage" id="stage-{e(page.label)}" data-key="{e(page.key)}">',
           f'<h2>{e(page.title)} <span class="position">{e(page.position)}</span></h2>']
    out += [f'<p class="text">{e(p)}</p>' for p in page.paragraphs]
    out.append(f'<pre class="formula">{e(page.formula)}</pre>')
    if page.table is not None:
        out += _html_table(page.table)
    if png:
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        out += ["<figure>", f'<img src="{uri}" alt="{e(picture_alt(page))}">', "</figure>"]
    out.append("</section>")
    return out


def _html_table(t: ShownTable) -> list[str]:
    e = html.escape
    out = ["<table>"]
    if any(t.columns):
        out.append("<thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in t.columns)
                   + "</tr></thead>")
    out.append("<tbody>")
    for r, texts, values in t.rows:
        mark = ' class="highlight"' if r == t.highlight else ""
        cells = []
        for text, v, signed in zip(texts, values, t.signed):
            if v is None:
                cells.append(f"<td>{e(text)}</td>")
                continue
            kind = "num" + ("" if not signed or v == 0 else " up" if v > 0 else " down")
            cells.append(f'<td class="{kind}" data-value="{float(v)!r}">{e(text)}</td>')
        out.append(f'<tr data-row="{r}"{mark}>' + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    if t.more:
        out.append(f'<p class="more">{e(t.more)}</p>')
    return out


# --- Markdown ----------------------------------------------------------------------------------


def to_markdown(handout: Handout, folder: str) -> str:
    """The handout as Markdown; stage i's picture is `folder/picture_name(page)` (written beside
    it by the caller) — stages without a picture get none."""
    out = [f"# {handout.title}", ""]
    out += [f"{line}  " for line in handout.about] + ["", f"> {how_to_read(handout.palette)}", ""]
    for page in stage_pages(handout):
        out += [f"## {page.title}", "", f"*{page.position}*", ""]
        for p in page.paragraphs:
            out += [p, ""]
        out += ["```text", page.formula, "```", ""]
        if page.table is not None:
            out += _md_table(page.table) + [""]
        if handout.picture(page.index):
            link = quote(f"{folder}/{picture_name(page)}")  # "my lesson_files" → my%20lesson_files
            out += [f"![{_md_escape(picture_alt(page))}]({link})", ""]
    return "\n".join(out)


def _md_escape(text: str) -> str:
    """Text inside a Markdown table cell, alt text or emphasis: | [ ] * _ ` escaped."""
    for ch in "\\|[]*_`":
        text = text.replace(ch, "\\" + ch)
    return text


def _md_table(t: ShownTable) -> list[str]:
    header = [c or " " for c in t.columns]
    align = ["---:" if any(v[c] is not None for _r, _t, v in t.rows) else "---"
             for c in range(len(header))]
    out = ["| " + " | ".join(_md_escape(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    for r, texts, _values in t.rows:
        cells = [_md_escape(x) for x in texts]
        if r == t.highlight:
            cells = [f"**▶ {cells[0]}**"] + [f"**{c}**" if c else c for c in cells[1:]]
        out.append("| " + " | ".join(cells) + " |")
    if t.more:
        out += ["", f"*{_md_escape(t.more)}*"]
    return out


# --- what the page says about itself -----------------------------------------------------------


def about_lines(walk, activation: str, cost: str, source: str, sample: str, class_names,
                batch_size: int) -> tuple[str, ...]:
    """The handout's opening sentences: the network (its sizes from the walk's trace, its
    activation and cost, and `source`: where its weights come from), the sample (`sample` names
    it; its label and cost C are the trace's), η of stage 8 and the mini-batch of stage 9."""
    t = walk.trace
    return (
        _("The network: {sizes} neurons, activation {activation}, cost {cost}; {source}.").format(
            sizes=" → ".join(f"{len(a):,}" for a in t.a), activation=activation, cost=cost,
            source=source),
        _("The sample: {sample}, a '{label}'; its cost for this network is C\u00a0=\u00a0{cost}.")
        .format(sample=sample, label=class_names[t.label], cost=fmt_sig(t.cost)),
        _("Stage 8's step uses the learning rate η = {lr}; stage 9's mini-batch holds {n} "
          "samples.").format(lr=lr_text(walk.lr), n=f"{batch_size:,}"),
    )
