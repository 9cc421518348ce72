"""A strict reading of a handout page (core.handout.to_html) for the tests: any unbalanced tag
fails; each stage's title, text, formula, table cells and pictures are collected."""

import html.parser

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "source", "wbr"}


class StrictPage(html.parser.HTMLParser):
    """Parses the handout, failing on any unbalanced tag; collects each stage's title, text,
    formula, table cells (text and data-value) and pictures."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.stages: list[dict] = []
        self.doctype = False
        self._cell = None
        self._where = None

    def handle_decl(self, decl):
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.open.append(tag)
        if tag == "section" and "stage" in attrs.get("class", ""):
            self.stages.append(dict(key=attrs["data-key"], title="", text=[], formula="",
                                    rows=[], images=[]))
        if not self.stages:
            return
        s = self.stages[-1]
        if tag == "h2":
            self._where = "title"
        elif tag == "span":
            self._where = None
        elif tag == "p" and attrs.get("class") == "text":
            s["text"].append("")
            self._where = "text"
        elif tag == "pre":
            self._where = "formula"
        elif tag == "tr" and "data-row" in attrs:
            s["rows"].append((int(attrs["data-row"]), attrs.get("class") == "highlight", []))
        elif tag == "td":
            v = attrs.get("data-value")
            self._cell = ["", None if v is None else float(v)]
            self._where = "cell"
        elif tag == "img":
            s["images"].append(attrs["src"])

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()
        if tag == "td":
            self.stages[-1]["rows"][-1][2].append(tuple(self._cell))
        if tag in ("h2", "p", "pre", "td"):
            self._where = None

    def handle_data(self, data):
        if not self.stages or self._where is None:
            return
        s = self.stages[-1]
        if self._where == "title":
            s["title"] += data
        elif self._where == "text":
            s["text"][-1] += data
        elif self._where == "formula":
            s["formula"] += data
        elif self._where == "cell":
            self._cell[0] += data


def parse_page(page: str) -> StrictPage:
    p = StrictPage()
    p.feed(page)
    p.close()
    assert p.doctype and not p.open, p.open
    return p
