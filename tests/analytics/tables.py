"""Reading a page's table as a person reads it: the text of each cell, row by row."""

import re
from html.parser import HTMLParser


class _TableReader(HTMLParser):
    def __init__(self, testid: str):
        super().__init__()
        self.testid = testid
        self.depth = 0  # nesting of <table> inside the wanted one (0: outside it)
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            if self.depth or dict(attrs).get("data-testid") == self.testid:
                self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(re.sub(r"\s+", " ", "".join(self.cell)).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, testid: str) -> list[list[str]]:
    """The rows (header, body and footer) of the table with this data-testid, each a list of cell texts."""
    reader = _TableReader(testid)
    reader.feed(html)
    assert reader.rows, f"no table {testid!r} on the page"
    return reader.rows
