"""MyST Markdown (Sphinx, Jupyter Book) read as its rendered page reads.

Technical manuals on Read the Docs are often MyST: the UNCCD's PRAIS 4 reporting manual
sets its notes, boxes and tables as directives (```` ```{note} ````, ```` ```{flat-table}
Table 7 … ````) and writes cross-references as roles (``{term}`LDN` ``). Read as plain
Markdown, a chunk quoted ``* - Urban expansion  - Grassland`` and ``header-rows: 1``. Here
a note or a box keeps its text (and a box its title), a list table becomes Markdown rows
under its caption, a figure keeps its caption, layout directives (column widths) are
dropped, and a role keeps the words it shows. Text meant for print only (``{only} latex``)
is the web page's text again and is left out. Plain Markdown comes back unchanged.

The directives and roles are found by ``markdown-it-py`` with the ``mdit-py-plugins`` MyST
rules (colon fences, targets, comments), so fences nest as MyST nests them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["from_myst", "is_myst"]

# A directive fence (```{name} or :::{name}), a role ({name}`text`), a target "(label)=".
_MYST = re.compile(r"^(?:`{3,}|:{3,})\{[\w:-]+\}|\{[\w:-]+\}`|^\([\w:-]+\)=\s*$", re.MULTILINE)
_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_SUBSTITUTION = re.compile(r"\{\{\s*[\w.-]+\s*\}\}")
# "{ref}`the text <label>`": the text is shown, the label is not.
_LABELLED = re.compile(r"^(.*?)\s*<[^<>]+>$", re.DOTALL)
# Roles that only shape a table cell, and show nothing.
_SHAPING_ROLES = {"rspan", "cspan", "class"}
# Directives that only lay the page out (or hold text for another output format).
_LAYOUT = {"tabularcolumns", "cssclass", "raw", "toctree", "contents", "index", "highlight"}
_TABLES = {"list-table", "flat-table"}
_FIGURES = {"figure", "image", "figure-md"}
_CODE = {"code", "code-block", "sourcecode", "code-cell"}
# A caption's emphasis: "*__Table 7__. Example …*" → "Table 7. Example …".
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_OPTION = re.compile(r"^:[\w-]+:(?:\s.*)?$")


def is_myst(text: str) -> bool:
    """Whether ``text`` uses MyST directives, roles or targets."""
    return bool(_MYST.search(text))


def from_myst(text: str) -> str:
    """``text`` with its MyST directives and roles replaced by what a reader sees.

    A substitution (``{{pagebreak}}``) is defined in the site's configuration, not in the
    file: it is left out.
    """
    return _SUBSTITUTION.sub("", _ROLE.sub(_role, _blocks(text)))


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.colon_fence import colon_fence_plugin
    from mdit_py_plugins.myst_blocks import myst_block_plugin

    return MarkdownIt("commonmark").use(colon_fence_plugin).use(myst_block_plugin)


def _blocks(text: str) -> str:
    """Replace each top-level directive, target and comment by its text (directives recursively)."""
    lines = text.splitlines()
    replaced: dict[int, tuple[int, str]] = {}  # first line -> (end line, replacement)
    for token in _parser().parse(text):
        if token.level != 0 or token.map is None:
            continue
        start, end = token.map
        if token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
            replaced[start] = (end, _directive(token.info, token.content))
        elif token.type in ("myst_target", "myst_line_comment", "myst_block_break"):
            replaced[start] = (end, "")
    out: list[str] = []
    n = 0
    while n < len(lines):
        if n in replaced:
            end, replacement = replaced[n]
            out.append(replacement)
            n = max(end, n + 1)
        else:
            out.append(lines[n])
            n += 1
    return "\n".join(out)


def _directive(info: str, content: str) -> str:
    """What a reader sees of one directive: its text, a table's rows, a figure's caption."""
    match = re.match(r"\{([\w:-]+)\}\s*(.*)", info.strip())
    name, argument = (match.group(1).lower(), match.group(2).strip()) if match else ("", "")
    options, body = _options(content)
    if name in _LAYOUT:
        return ""
    if name == "only":  # text for one output: the web page's is read, the print copy's is not
        return "" if re.search(r"latex|pdf|epub|man|texinfo", argument) else _blocks(body).strip()
    if name in _CODE:
        return f"```\n{body.rstrip()}\n```"
    if name in _TABLES:
        return _table(argument, options, body)
    if name in _FIGURES:  # the argument is the image's file; the body is its caption
        return _blocks(body).strip()
    title = _plain(argument)
    text = _blocks(body).strip()
    return f"{title}\n\n{text}" if title and text else title or text


def _options(content: str) -> tuple[dict[str, str], str]:
    """Split a directive's options (":key: value" lines, or a YAML block in "---") from its body."""
    lines = content.splitlines()
    options: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            for line in lines[1:end]:
                key, _, value = line.partition(":")
                options[key.strip().lower()] = value.strip()
            return options, "\n".join(lines[end + 1 :])
    taken = 0
    for line in lines:
        if not _OPTION.match(line.strip()):
            break
        key, _, value = line.strip()[1:].partition(":")
        options[key.strip().lower()] = value.strip()
        taken += 1
    return options, "\n".join(lines[taken:])


def _table(caption: str, options: dict[str, str], body: str) -> str:
    """A list table as Markdown rows, its header rows first, under its caption."""
    rows = _list_rows(body)
    if not rows:
        return _plain(caption)
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    try:
        header_rows = max(0, int(options.get("header-rows", "0")))
    except ValueError:
        header_rows = 0
    header = rows[:header_rows] or [[""] * width]
    data = rows[header_rows:]
    lines = [_row(r) for r in header[:1]] + ["|" + "---|" * width]
    lines += [_row(r) for r in header[1:] + data]
    title = _plain(caption)
    return (title + "\n\n" if title else "") + "\n".join(lines)


def _list_rows(body: str) -> list[list[str]]:
    """The cells of a list table: a bullet list of rows, each a bullet list of cells."""
    tokens = _parser().parse(body)
    rows: list[list[str]] = []
    depth = 0
    cell: list[str] | None = None
    for token in tokens:
        if token.type == "bullet_list_open":
            depth += 1
        elif token.type == "bullet_list_close":
            depth -= 1
        elif token.type == "list_item_open" and depth == 1:
            rows.append([])
        elif token.type == "list_item_open" and depth == 2 and rows:
            cell = []
        elif token.type == "list_item_close" and depth == 2 and rows and cell is not None:
            rows[-1].append(" ".join(cell).strip())
            cell = None
        elif token.type == "inline" and cell is not None:
            cell.append(_ROLE.sub(_role, token.content).replace("\n", " "))
    return [row for row in rows if row]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(" ".join(c.replace("|", "/").split()) for c in cells) + " |"


def _role(match: re.Match[str]) -> str:
    """The words a role shows: ``{term}`LDN` `` → "LDN"; a cell-shaping role shows nothing."""
    name, text = match.group(1).lower(), match.group(2)
    if name in _SHAPING_ROLES:
        return ""
    labelled = _LABELLED.match(text)
    return labelled.group(1) if labelled and labelled.group(1) else text


def _plain(text: str) -> str:
    """A caption or title without its emphasis marks."""
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())
