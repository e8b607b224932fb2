"""Read saved web pages into blocks, keeping the paragraph numbering treaty pages show.

Decision pages number their paragraphs with ordered lists (``<ol type="a">``) or with a
marker in its own cell or element (``<td>1.</td><td>Requests…</td>``). A browser prints
those numbers; a text extractor that keeps only leaf blocks loses them, and with them the
paragraph a citation should name. Here list items get their printed marker, a block that
holds only a marker is joined to the block it numbers, and data tables become Markdown rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ingest.formats.blocks import Block, list_marker, markdown_table

__all__ = ["html_blocks"]

_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_BLOCKS = [
    *_HEADINGS,
    "p",
    "li",
    "td",
    "th",
    "pre",
    "blockquote",
    "div",
    "dd",
    "dt",
    "figcaption",
    "section",
    "article",
    "main",
    "caption",
    "address",
    "table",
]
# A paragraph marker standing alone: "1.", "12)", "(a)", "a)", "(iv)", "[3]".
_MARKER = re.compile(r"^(\(?\d{1,3}[.)]|\([a-z]{1,4}\)|[a-z]\)|\[\d{1,3}\])$", re.IGNORECASE)
_OL_STYLES = {"1", "a", "A", "i", "I"}


def html_blocks(markup: str, tick: Callable[[], None]) -> tuple[str, list[Block]]:
    """Return the page's ``<title>`` and its blocks, numbering kept; ``tick`` checks the clock."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    tick()
    for tag in soup(["script", "style", "noscript", "template", "iframe", "object"]):
        tag.decompose()
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    root = _content(soup.body or soup)
    for br in root.find_all("br"):
        br.replace_with(soup.new_string("\n"))
    _wrap_loose_text(root, soup)
    _number_lists(root, soup)
    return title, list(_join_markers(_leaf_blocks(root, tick)))


# ARIA landmarks of a page's chrome: menus, the site's banner and footer, search, sidebars.
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
# Elements that are those landmarks by themselves; a header or footer is one only outside
# the page's content (an article's header holds its title).
_CHROME_TAGS = {"nav", "aside"}
_SECTIONING = {"article", "aside", "main", "nav", "section"}


def _content(root: Any) -> Any:
    """The page without its chrome, as a reader skips it: the main landmark when there is one.

    A page saved from a documentation site (Sphinx, Read the Docs) or a treaty site
    carries its menus, table of contents and footer; read as text they were chunks of
    link titles ("Índice: Introducción Antecedentes …") ahead of the page's own text.
    """
    main = root.find("main") or root.find(attrs={"role": "main"})
    if main is not None and main.get_text(strip=True):
        root = main
    for element in root.find_all(True):
        if element.decomposed:
            continue
        role = str(element.get("role", "")).lower()
        outside = element.name in ("header", "footer") and not any(
            parent.name in _SECTIONING or str(parent.get("role", "")).lower() == "main"
            for parent in element.parents
        )
        if element.name in _CHROME_TAGS or role in _CHROME_ROLES or outside:
            element.decompose()
    return root


def _wrap_loose_text(root: Any, soup: Any) -> None:
    """Put text standing beside blocks in a paragraph of its own, so it is read too.

    ``<li>Urges Parties to:<ol>…</ol></li>`` holds its chapeau as loose text next to a
    nested list; reading only leaf blocks would drop it.
    """
    from bs4 import NavigableString, Tag

    for element in [root, *root.find_all(_BLOCKS)]:
        if not element.find(_BLOCKS):
            continue
        run: list[Any] = []
        for child in [*element.children, None]:
            block = child is None or (
                isinstance(child, Tag)
                and (child.name in _BLOCKS or child.find(_BLOCKS) is not None)
            )
            if not block and isinstance(child, NavigableString | Tag):
                run.append(child)
                continue
            if any(str(part).strip() for part in run if isinstance(part, NavigableString)) or any(
                isinstance(part, Tag) and part.get_text(strip=True) for part in run
            ):
                wrapper = soup.new_tag("p")
                run[0].insert_before(wrapper)
                for part in run:
                    wrapper.append(part.extract())
            run = []


def _number_lists(root: Any, soup: Any) -> None:
    """Write each ordered-list item's printed marker at the start of its first text block."""
    for ol in root.find_all("ol"):
        style = ol.get("type", "1")
        style = style if style in _OL_STYLES else "1"
        suffix = ")" if style in {"a", "i"} else "."
        prefix = "(" if style in {"a", "i"} else ""
        number = _int(ol.get("start"), 1) - 1
        for li in ol.find_all("li", recursive=False):
            number = _int(li.get("value"), number + 1)
            marker = list_marker(number, style, prefix, suffix)
            leaves = (
                d for d in li.find_all(_BLOCKS) if not d.find(_BLOCKS) and d.find_parent("li") is li
            )
            target = next(leaves, li)
            target.insert(0, soup.new_string(f"{marker} "))


def _text(element: Any) -> str:
    """Return a block's words as a browser shows them: ``map <b>land</b>;`` → ``map land;``."""
    return " ".join(element.get_text("").split())


def _int(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _leaf_blocks(root: Any, tick: Callable[[], None]) -> Iterator[Block]:
    """Leaf blocks in order (no text read twice); data tables as one Markdown block."""
    inside: set[int] = set()
    for element in root.find_all(_BLOCKS):
        if any(id(parent) in inside for parent in element.parents):
            continue
        if element.name == "table":
            rows = _table_rows(element)
            if rows is not None:
                inside.add(id(element))
                tick()
                yield from rows
            continue
        if element.find(_BLOCKS):
            continue
        text = _text(element)
        if not text:
            continue
        tick()
        level = int(element.name[1]) if element.name in _HEADINGS else 0
        yield Block(" ".join(text.split()), level)


def _table_rows(table: Any) -> list[Block] | None:
    """Read a table of plain cells as blocks; ``None`` for a layout table holding a page.

    Rows whose first cell is only a paragraph marker are numbered paragraphs laid out in
    a table (``1.`` | text): they become paragraphs. Other tables become Markdown rows.
    """
    if table.find(["table", *_HEADINGS, "ul", "ol", "div", "section", "article"]):
        return None
    rows = [
        [_text(cell) for cell in tr.find_all(["td", "th"])]
        for tr in table.find_all("tr")
    ]
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    if all(len(r) == 2 and (_MARKER.match(r[0]) or not r[0]) for r in rows):
        return [Block(" ".join(f"{r[0]} {r[1]}".split())) for r in rows if r[1]]
    header = 1 if table.find("th") else 0
    return [Block(markdown_table(rows, header_rows=header or 1))]


def _join_markers(blocks: Iterator[Block]) -> Iterator[Block]:
    """Join a block that is only a marker (``1.``, ``(a)``) to the text block after it."""
    pending = ""
    for block in blocks:
        if not block.is_heading and _MARKER.match(block.text):
            pending = f"{pending} {block.text}".strip()
            continue
        if pending and not block.is_heading:
            block = Block(f"{pending} {block.text}")
        elif pending:
            yield Block(pending)
        pending = ""
        yield block
    if pending:
        yield Block(pending)
