"""Document metadata when a file has no front matter: read, inferred, or declared beside it.

Practitioners' files (PDFs, Word and OpenDocument files, reStructuredText manuals, saved
web pages) carry no front matter, so their title, language and kind come from the
document itself: a meaningful embedded title (PDF or DOCX properties, an HTML ``<title>``)
or the document's first heading or title-like lines; the language from its text; the kind
from its own words and structure (a decision's heading, a case study's sections, a
report's or a manual's self-description), never from the file name alone.

What inference gets wrong is fixed without touching the files: a sidecar YAML file
(:data:`SIDECAR_NAMES`) in the folder declares defaults for the folder and entries per
file, and ``ingest FILE --kind K --title T`` declares fields for one file. Precedence,
strongest first: command-line fields, the file's front matter, its sidecar entry, the
sidecar's folder defaults, then what is inferred.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.core.errors import IngestError
from assistant.core.records import KINDS, DocumentMeta
from assistant.language.detect import detect_language
from ingest.decisions import find_decision_heading, looks_like_decision

__all__ = [
    "SIDECAR_NAMES",
    "Declared",
    "build_meta",
    "doc_id_from_name",
    "infer_kind",
    "infer_title",
    "is_meaningful_title",
    "read_sidecar",
    "slugify",
    "validate_fields",
]

SIDECAR_NAMES = ("_metadata.yaml", "_metadata.yml")
META_FIELDS = frozenset(DocumentMeta.__dataclass_fields__)
_LANG_CODE = re.compile(r"^[a-z]{2}$")
_DOC_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class Declared:
    """Fields declared outside the document: sidecar ``defaults`` and command-line ``overrides``."""

    defaults: Mapping[str, Any] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def merge(self, front_matter: Mapping[str, Any]) -> dict[str, Any]:
        """Return the fields that win: overrides, then front matter, then sidecar defaults."""
        return {**self.defaults, **front_matter, **self.overrides}

    def __bool__(self) -> bool:
        return bool(self.defaults or self.overrides)


# --- names and ids -----------------------------------------------------------------------


def slugify(text: str) -> str:
    """Turn a file name or title into a stable lowercase id (accents folded: é → e)."""
    slug = re.sub(r"[^a-z0-9]+", "-", _fold(text).lower()).strip("-")
    return slug or "document"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def doc_id_from_name(stem: str) -> str:
    """Derive a doc_id from a file name; names in scripts a slug cannot spell stay distinct.

    ``恢复指南.md`` and ``退化原因.md`` would both slug to nothing, so a short hash of the
    name is added whenever letters were dropped.
    """
    slug = slugify(stem)
    if not any(ord(c) > 0x7F and c.isalnum() for c in _fold(stem)):
        return slug
    digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8]
    return f"doc-{digest}" if slug == "document" else f"{slug}-{digest}"


# --- titles ------------------------------------------------------------------------------

# Titles authoring tools write for you: "Microsoft Word - report_v3.docx", "Untitled", "Document1".
_TOOL_TITLE = re.compile(
    r"^(microsoft\s+(word|powerpoint|excel)\s*-|untitled\b|document\s*\d*$|title$|slide\s*\d*$|"
    r"presentation\s*\d*$|ohne titel|sans titre|sin t[ií]tulo|无标题)",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(
    r"\.(docx?|odt|rtf|pdf|indd|pptx?|xlsx?|txt|md|html?|rst|tex|qxp)\s*$", re.I
)
_SYMBOL_LINE = re.compile(r"^[A-Z][A-Z0-9.]*(/[A-Z0-9.*()-]+){2,}\S*$")  # CBD/COP/DEC/16/31
_FRONT_LINE = re.compile(
    r"^(distr\.|original:|english|french|spanish|agenda item|page \d|\d+\s*/\s*\d+$|©|copyright)",
    re.IGNORECASE,
)
# Names of a document's parts, or of any document: a heading, not what this one is called.
_GENERIC = frozenset(
    "report|contents|table of contents|introduction|abstract|summary|foreword|preface|annex|"
    "decision|draft|final|document|cover|overview|rapport|informe|résumé|resumen|sommaire|"
    "índice|目录|报告|摘要".split("|")
)
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_MAX_TITLE = 200


def is_meaningful_title(title: str, path: Path | None = None) -> bool:
    """Whether an embedded title names the document (not a file name or a tool's default)."""
    text = " ".join(title.split())
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or len(text) > _MAX_TITLE or _TOOL_TITLE.match(text) or _FILE_NAME.search(text):
        return False
    if text.lower().strip(" .:") in _GENERIC:
        return False
    if path is not None and slugify(text) == slugify(path.stem):
        return False  # the file name again, whatever its separators
    # one long token joined by '_' (or '-' with no spaces) is a file or variable name
    return not (" " not in text and re.search(r"[_]|\w-\w.*-\w", text))


def _title_like(line: str) -> bool:
    letters = sum(c.isalpha() for c in line)
    return (
        letters >= 3
        and letters >= 0.5 * len(line.replace(" ", ""))
        and not _SYMBOL_LINE.match(line)
        and not _FRONT_LINE.match(line)
    )


def _continues_title(line: str) -> bool:
    """Tell whether a line continues a cover title (some are as short as ``of``)."""
    return (
        any(c.isalpha() for c in line)
        and not _SYMBOL_LINE.match(line)
        and not _FRONT_LINE.match(line)
    )


def infer_title(text: str, max_lines: int = 60) -> str:
    """Return the document's opening title-like lines joined (a cover's title), or ``""``.

    The first run of short lines that reads as a title is taken, as a reader finds the
    title on a cover page: lines with letters, not a document symbol or distribution
    note, up to a blank line, a line that ends a sentence or a line with a date.
    """
    block: list[str] = []
    for raw in text.splitlines()[:max_lines]:
        line = " ".join(raw.split())
        if not line:
            if block:
                break
            continue
        if not block and not _title_like(line):
            continue
        if block and (_YEAR.search(line) or not _continues_title(line)):
            break
        if len(line) > 150 or line.endswith((".", "。", "!", "?", ":", ";", ",")):
            break  # body text: a sentence, not a title
        block.append(line)
        if sum(len(b) + 1 for b in block) > _MAX_TITLE or len(block) >= 8:
            break
    title = " ".join(block).strip(" :;,-")
    return title if len(title) <= _MAX_TITLE and is_meaningful_title(title) else ""


# --- kinds -------------------------------------------------------------------------------

# How documents of each kind describe themselves, in the UN languages the corpus has. A
# cue counts in the title (x3), a heading (x2) or the opening text (x1).
_KIND_CUES: dict[str, re.Pattern[str]] = {
    "case-study": re.compile(
        r"\b(case stud(y|ies)|lessons( learn(ed|t))?|outcomes|interventions|étude de cas"
        r"|estudio de caso|enseignements|lecciones aprendidas)\b|案例|经验教训",
        re.IGNORECASE,
    ),
    "report": re.compile(
        r"\b(report of|this report|workshop report|proceedings|executive summary"
        r"|summary for policymakers|assessment report|rapport|informe)\b|报告",
        re.IGNORECASE,
    ),
    "guidance": re.compile(
        r"\b(guidelines?|guidance|manual|handbook|user guide|how to|toolkit|principles"
        r"|standards|step \d|steps|usage|tutorial|getting started|instructions"
        r"|best practices?|lignes directrices|guide|orientations"
        r"|directrices|gu[ií]a|manuel|manual)\b|指南|手册|准则|导则",
        re.IGNORECASE,
    ),
}
# A title that calls the document a report is one ("Report", "Workshop report 2025").
_TITLE_CUES = {"report": re.compile(r"\breports?\b", re.IGNORECASE)}
_MIN_KIND_SCORE = 3
_NEVER = re.compile(r"(?!)")


def infer_kind(title: str, headings: Iterable[str], body: str) -> str:
    """Infer the kind from the document's own text: decision, case study, report or guidance.

    A decision is recognised by its heading (symbol and title); the other kinds by how
    the document names itself in its title, headings and opening text. Too weak a
    signal gives ``"other"``, as the data contract allows.
    """
    if looks_like_decision(body) and find_decision_heading(body) is not None:
        return "decision"
    opening = body[:4000]
    heads = list(headings)[:200]
    scores = {
        kind: 3 * (len(cue.findall(title)) or bool(_TITLE_CUES.get(kind, _NEVER).search(title)))
        + 2 * sum(bool(cue.search(h)) for h in heads)
        + len(cue.findall(opening))
        for kind, cue in _KIND_CUES.items()
        if kind in KINDS
    }
    best = max(scores, key=lambda k: scores[k], default="other")
    return best if scores.get(best, 0) >= _MIN_KIND_SCORE else "other"


# --- fields ------------------------------------------------------------------------------


def validate_fields(
    path: Path, fields: Mapping[str, Any], where: str = "front matter"
) -> dict[str, Any]:
    """Keep known fields and check their values; raise one-line errors naming ``where``."""
    known = {k: v for k, v in fields.items() if k in META_FIELDS and v is not None}
    for name, value in known.items():
        if isinstance(value, list | dict | set | bool) and name != "year":
            kind_of = "true/false" if isinstance(value, bool) else f"a {type(value).__name__}"
            raise IngestError(path, f"{where} field '{name}' must be text, not {kind_of}")
    if "kind" in known and known["kind"] not in KINDS:
        raise IngestError(
            path, f"unknown kind '{known['kind']}' (expected one of {', '.join(KINDS)})"
        )
    if "language" in known and not _LANG_CODE.match(str(known["language"])):
        raise IngestError(
            path, f"language '{known['language']}' is not an ISO 639-1 code such as 'en'"
        )
    if "doc_id" in known and not _DOC_ID.fullmatch(str(known["doc_id"])):
        raise IngestError(
            path, f"doc_id '{known['doc_id']}' must be lowercase letters, digits, '-', '.'"
        )
    if "year" in known:
        known["year"] = _year(path, known["year"])
    return known


def _year(path: Path, value: Any) -> int:
    """Read a four-digit year (``2012`` or ``"2012"``)."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"\d{4}", text):
        raise IngestError(path, f"year '{value}' is not a four-digit year such as 2012")
    return int(text)


def _standalone_lines(body: str, limit: int = 200) -> list[str]:
    """Headings of plain text: paragraphs of one short line with no closing punctuation."""
    found = []
    for paragraph in re.split(r"\n\s*\n", body[:20000])[:limit]:
        line = " ".join(paragraph.split())
        if line and "\n" not in paragraph.strip() and len(line) <= 80 and _title_like(line):
            if not line.endswith((".", "。", "!", "?", ":", ";", ",")):
                found.append(line)
    return found


def build_meta(
    path: Path, fields: Mapping[str, Any], body: str, title: str = "", headings: Iterable[str] = ()
) -> DocumentMeta:
    """Build a document's metadata: declared fields first, the rest read from the document.

    ``title`` is the title the format offers (an H1, an embedded property); it is used
    only when meaningful, else the document's decision heading or opening lines give it.
    """
    known = validate_fields(path, fields)
    heads = list(headings)
    is_decision = known.get("kind") == "decision" or looks_like_decision(body)
    heading = find_decision_heading(body) if is_decision else None
    offered = title if is_meaningful_title(title, path) else ""
    heads = heads or _standalone_lines(body)
    read_title = str(
        known.get("title")
        or (heading.title if heading else "")
        or offered
        or next((h for h in heads if is_meaningful_title(h, path)), "")
        or infer_title(body)
    )
    doc_title = read_title or path.stem
    # the kind is read from the document: a title that is only the file name does not count
    kind = str(
        known.get("kind") or ("decision" if heading else infer_kind(read_title, heads, body))
    )
    language = str(known.get("language") or detect_language(body[:5000]))
    if not _LANG_CODE.match(language):
        raise IngestError(path, f"language '{language}' is not an ISO 639-1 code such as 'en'")
    if "doc_id" in known:
        doc_id = str(known["doc_id"])
    elif heading and kind == "decision":
        doc_id = f"cbd-dec-{slugify(heading.symbol)}-{language}"
    else:
        doc_id = doc_id_from_name(path.stem)
    text_fields = ("source", "translation_of", "region", "country", "ecosystem")
    return DocumentMeta(
        doc_id=doc_id,
        title=doc_title,
        kind=kind,
        language=language,
        symbol=str(known.get("symbol") or (heading.symbol if heading else "")),
        year=known.get("year"),
        **{name: str(known.get(name, "")) for name in text_fields},
    )


# --- sidecar files -----------------------------------------------------------------------


def read_sidecar(path: Path) -> dict[str, Any]:
    """Return the fields a folder's sidecar file declares for ``path`` (defaults, then its entry).

    Format (``_metadata.yaml`` next to the documents)::

        defaults:            # every file of this folder
          kind: guidance
          source: FAO
        files:
          manual.rst:        # one file, by name
            title: se.plan user manual
    """
    for name in SIDECAR_NAMES:
        sidecar = path.parent / name
        try:
            stamp = sidecar.stat().st_mtime_ns
        except OSError:
            continue
        defaults, files = _parse_sidecar(sidecar, stamp)
        entry = files.get(path.name, {})
        merged = {**defaults, **entry}
        return validate_fields(path, merged, where=name)
    return {}


@lru_cache(maxsize=64)
def _parse_sidecar(sidecar: Path, stamp: int) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Parse a sidecar once per version of the file (``stamp``: its modification time)."""
    del stamp  # part of the cache key only
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise IngestError(sidecar, f"{sidecar.name} is not readable YAML ({reason})") from e
    if not isinstance(data, dict) or set(data) - {"defaults", "files"}:
        raise IngestError(
            sidecar, f"{sidecar.name} must be a mapping with 'defaults:' and/or 'files:'"
        )
    defaults = data.get("defaults") or {}
    files = data.get("files") or {}
    if not isinstance(defaults, dict) or not isinstance(files, dict):
        raise IngestError(
            sidecar, f"{sidecar.name}: 'defaults' and 'files' must be mappings of field: value"
        )
    unknown = sorted(set(defaults) - META_FIELDS)
    if unknown:
        raise IngestError(sidecar, f"{sidecar.name}: unknown field '{unknown[0]}' in defaults")
    entries: dict[str, dict[str, Any]] = {}
    for name, entry in files.items():
        if not isinstance(entry, dict):
            raise IngestError(
                sidecar, f"{sidecar.name}: entry '{name}' must be a mapping of field: value"
            )
        bad = sorted(set(entry) - META_FIELDS)
        if bad:
            raise IngestError(sidecar, f"{sidecar.name}: unknown field '{bad[0]}' for '{name}'")
        entries[str(name)] = entry
    return dict(defaults), entries
