"""Render answers, citation cards and exports for the app, escaping every piece of text.

Answer and passage text comes from documents anyone may have written, so it is
always HTML-escaped here, and only markup built by this module reaches the page: a
document containing ``<script>``, ``<img onerror=…>`` or a ``javascript:`` link shows
as text. The chat bubbles are rendered as HTML (not Markdown) for the same reason:
Markdown syntax quoted from a passage stays literal.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.core.provenance import UPLOADED_LABEL
from assistant.core.records import Answer, Citation
from assistant.language.references import instrument

__all__ = [
    "KIND_LABELS",
    "answer_json",
    "answer_markdown",
    "citation_cards",
    "escape",
    "highlight",
    "render_answer",
    "render_error",
    "render_partial",
    "render_question",
    "status_html",
]

KIND_LABELS = {
    "decision": "Decision",
    "guidance": "Guidance",
    "case-study": "Case study",
    "other": "Document",
}
_MARKER = re.compile(r"\s*\[(\d+)\]")
_WORD = re.compile(r"\w+", re.UNICODE)
UNSUPPORTED_NOTE = "Sentences marked ⚠ are not supported by the passages they cite."


def escape(text: object) -> str:
    """HTML-escape any value (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def status_html(message: str, kind: str = "info") -> str:
    """Render a one-line status message (``info``, ``ok``, ``error``), escaped."""
    return f'<div class="ra-status ra-status-{escape(kind)}">{escape(message)}</div>'


def _field(citation: Citation | dict[str, Any], name: str, default: Any = "") -> Any:
    if isinstance(citation, dict):
        return citation.get(name, default)
    return getattr(citation, name, default)


def _spans(text: str, sentences: Iterable[str]) -> list[tuple[int, int]]:
    """Where each sentence occurs in ``text``; whitespace and markup between words may differ."""
    found: list[tuple[int, int]] = []
    for sentence in sentences:
        sentence = sentence.strip()
        if not sentence:
            continue
        start = text.find(sentence)
        if start >= 0:
            found.append((start, start + len(sentence)))
            continue
        words = _WORD.findall(sentence)
        if not words or len(words) > 400:
            continue
        pattern = r"[\W_]*?".join(re.escape(w) for w in words) + r"[.;:,!?。；：，！？]?"
        match = re.search(pattern, text)
        if match:
            found.append(match.span())
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, supporting: Sequence[str]) -> str:
    """Escape ``text`` and wrap the sentences the answer quoted in ``<mark>``."""
    parts: list[str] = []
    cursor = 0
    for start, end in _spans(text, supporting):
        parts.append(escape(text[cursor:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    parts.append(escape(text[cursor:]))
    return "".join(parts)


def _where_text(citation: Citation | dict[str, Any]) -> str:
    """Return the locator a reader needs, as plain text: 'decision XI/16 · para. 1(b)'."""
    symbol = str(_field(citation, "symbol") or "")
    if symbol and _field(citation, "kind") == "decision":
        symbol = f"{instrument(symbol)} {symbol}"  # 'resolution XIII.13' for Ramsar
    return " · ".join(p for p in (symbol, str(_field(citation, "locator") or "")) if p)


def _where(citation: Citation | dict[str, Any]) -> str:
    return escape(_where_text(citation))


def _card(citation: Citation | dict[str, Any], related: bool) -> str:
    kind = str(_field(citation, "kind") or "other")
    label = KIND_LABELS.get(kind, kind.title())
    language = str(_field(citation, "language") or "")
    context = str(_field(citation, "context") or "")
    supporting = _field(citation, "supporting", ()) or ()
    number = escape(_field(citation, "n"))
    tag = '<span class="ra-badge ra-maybe">possibly related</span>' if related else ""
    if _field(citation, "origin") == "upload":
        tag += f'<span class="ra-badge ra-uploaded">{escape(UPLOADED_LABEL)}</span>'
    flag = str(_field(citation, "flag") or "")
    return (
        f'<article class="ra-card{" ra-related" if related else ""}" data-n="{number}"'
        f' data-doc="{escape(_field(citation, "doc_id"))}">'
        f'<header><span class="ra-n">[{number}]</span> '
        f'<span class="ra-title">{escape(_field(citation, "title") or _field(citation, "doc_id"))}</span></header>'
        f'<div class="ra-meta"><span class="ra-badge ra-kind-{escape(kind)}">{escape(label)}</span>'
        f'<span class="ra-where">{_where(citation)}</span>'
        + (f'<span class="ra-badge ra-lang">{escape(language)}</span>' if language else "")
        + f"{tag}</div>"
        + (f'<div class="ra-notice ra-flag">{escape(flag)}</div>' if flag else "")
        + (f'<div class="ra-context">{escape(context)}</div>' if context else "")
        + f'<div class="ra-text">{highlight(str(_field(citation, "text")), list(supporting))}</div>'
        "</article>"
    )


def citation_cards(answer: Answer) -> str:
    """Citation cards of an answer, or 'possibly related' cards for a refusal."""
    if answer.supported and answer.citations:
        cards = "".join(_card(c, related=False) for c in answer.citations)
        return (
            f'<section class="ra-cards"><h4>Sources ({len(answer.citations)})</h4>{cards}</section>'
        )
    if answer.related:
        cards = "".join(_card(c, related=True) for c in answer.related)
        return (
            '<section class="ra-cards"><h4>Possibly related</h4>'
            '<p class="ra-note">Not an answer: the closest passages the corpus has.</p>'
            f"{cards}</section>"
        )
    return '<section class="ra-cards"><p class="ra-note">No passages were found.</p></section>'


def _markers(numbers: Iterable[int], titles: dict[int, str]) -> str:
    return "".join(
        f'<span class="ra-ref" title="{escape(titles.get(n, ""))}">[{n}]</span>' for n in numbers
    )


def _with_markers(text: str, titles: dict[int, str]) -> str:
    """Escape text and turn its ``[n]`` markers into marker badges."""
    parts: list[str] = []
    cursor = 0
    for match in _MARKER.finditer(text):
        parts.append(escape(text[cursor : match.start()]))
        parts.append(" " + _markers([int(match.group(1))], titles))
        cursor = match.end()
    parts.append(escape(text[cursor:]))
    return "".join(parts)


def render_partial(text: str) -> str:
    """Render a streaming answer so far (text with markers), escaped."""
    return f'<div class="ra-answer ra-streaming">{_with_markers(text, {})}</div>'


def render_question(text: str) -> str:
    """Render the user's question for the chat (escaped: users can type markup too)."""
    return f'<div class="ra-question">{escape(text)}</div>'


def render_error(message: str) -> str:
    """Render an error in place of an answer."""
    return f'<div class="ra-answer ra-error">⚠ {escape(message)}</div>'


def _source_line(citation: Citation, related: bool) -> str:
    where = _where(citation)
    lang = escape(citation.language)
    title = escape(citation.title or citation.doc_id)
    prefix = "~" if related else ""
    uploaded = f" · <em>{escape(UPLOADED_LABEL)}</em>" if citation.origin == "upload" else ""
    return (
        f'<li><span class="ra-n">{prefix}[{citation.n}]</span> {title}'
        f"{' · ' + where if where else ''}{' · ' + lang if lang else ''}{uploaded}</li>"
    )


def render_answer(answer: Answer) -> str:
    """Render the chat bubble of a finished answer: notices, quotes with markers, sources.

    An extractive answer is a frame per passage ("Decision XI/16, para. 1(g), addresses
    this:") over its quoted run; sentences an LLM wrote without support
    (``supported: False``) are marked ⚠.
    """
    titles = {c.n: f"{c.title} — {c.locator}".strip(" —") for c in answer.citations}
    notices = "".join(f'<div class="ra-notice">{escape(n)}</div>' for n in answer.notices)
    flagged = any(s.get("supported") is False for s in answer.sentences)
    if answer.supported and answer.sentences:
        body_html = _sentences_html(list(answer.sentences), titles)
    else:
        body_html = _with_markers(answer.text, titles)
    status = "ra-supported" if answer.supported else "ra-refusal"
    note = f'<div class="ra-notice">{escape(UNSUPPORTED_NOTE)}</div>' if flagged else ""
    cited = answer.citations if answer.supported else answer.related
    heading = "Sources" if answer.supported else "Possibly related (not an answer)"
    sources = (
        f'<div class="ra-sources"><div class="ra-sources-h">{heading}</div><ul>'
        + "".join(_source_line(c, not answer.supported) for c in cited)
        + "</ul></div>"
        if cited
        else ""
    )
    return f'<div class="ra-answer {status}">{notices}<div class="ra-body">{body_html}</div>{note}{sources}</div>'


def _sentences_html(sentences: list[dict[str, Any]], titles: dict[int, str]) -> str:
    """Frames as lines, each quoted run as one block closed by its marker, other sentences inline."""
    parts: list[str] = []
    i = 0
    while i < len(sentences):
        sentence = sentences[i]
        if sentence.get("frame"):
            parts.append(f'<div class="ra-frame">{escape(sentence.get("text", ""))}</div>')
            i += 1
            continue
        if "run" in sentence:
            run = [s for s in sentences[i:] if s.get("run") == sentence["run"] and not s.get("frame")]
            texts = [escape(_MARKER.sub("", str(s.get("text", ""))).strip()) for s in run]
            if len({tuple(s.get("citations", [])) for s in run}) == 1:
                quoted = " ".join(texts) + " " + _markers(sentence.get("citations", []), titles)
            else:  # a paragraph quoted whole: each part on its line, under its own marker
                quoted = "<br>".join(
                    f"{text} {_markers(s.get('citations', []), titles)}" for text, s in zip(texts, run, strict=True)
                )
            parts.append(f'<blockquote class="ra-quote">{quoted}</blockquote>')
            i += len(run)
            continue
        text = _MARKER.sub("", str(sentence.get("text", ""))).strip()
        body = escape(text) + " " + _markers(sentence.get("citations", []), titles)
        if sentence.get("supported") is False:
            body = (
                '<span class="ra-unsupported" title="Not supported by the cited passages">'
                f"⚠ {body}</span>"
            )
        parts.append(f'<span class="ra-sentence">{body}</span>')
        i += 1
    return " ".join(parts)


# --- exports -------------------------------------------------------------------------------


def answer_json(record: dict[str, Any]) -> str:
    """Return the answer record as pretty JSON (UTF-8, not ASCII-escaped)."""
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def _md_answer(record: dict[str, Any], question: str) -> list[str]:
    """Lay out the question, the answer with its notices, and unsupported sentences."""
    lines = ["# Restoration Assistant answer", ""]
    if question:
        lines += ["## Question", "", question, ""]
    lines += ["## Answer", ""]
    lines += [f"*{n}*" for n in record.get("notices") or []]
    lines += [str(record.get("answer", "")), ""]
    if not record.get("supported", False):
        lines += [
            "*The corpus does not support an answer; the passages below are only possibly related.*",
            "",
        ]
    flagged = [s for s in record.get("sentences") or [] if s.get("supported") is False]
    if flagged:
        lines += ["Sentences not supported by their cited passages:", ""]
        lines += [f"- {s.get('text', '')}" for s in flagged] + [""]
    return lines


def _md_sources(record: dict[str, Any]) -> list[str]:
    """Quote the cited passages in full (for a refusal: the possibly related ones)."""
    lines: list[str] = []
    cited = record.get("citations") or []
    listed = cited or record.get("related") or []
    if listed:
        lines += ["## Sources" if cited else "## Possibly related", ""]
    for citation in listed:
        kind = KIND_LABELS.get(str(citation.get("kind", "")), str(citation.get("kind", "")))
        uploaded = UPLOADED_LABEL if citation.get("origin") == "upload" else ""
        where = ", ".join(
            x for x in (kind, _where_text(citation), citation.get("language"), uploaded) if x
        )
        lines += [
            f"**[{citation.get('n')}] {citation.get('title', '')}** — {where}  ",
            f"`{citation.get('doc_id', '')}` · chunk `{citation.get('chunk_id', '')}`",
            "",
        ]
        if citation.get("context"):
            lines += [_quote(str(citation["context"])), ">"]
        lines += [_quote(str(citation.get("text", ""))), ""]
        for sentence in citation.get("supporting") or []:
            lines.append(f"- quoted: “{sentence}”")
        if citation.get("supporting"):
            lines.append("")
    return lines


_TRACE_KEYS = (
    "question",
    "condensed_query",
    "follow_up",
    "history",
    "language",
    "filters",
    "support",
    "composer",
    "embedding_model",
    "corpus_fingerprint",
    "settings",
    "timings_ms",
)


def _md_trace(trace: dict[str, Any]) -> list[str]:
    """Summarise the trace (how the question was read and searched) as a JSON block."""
    summary = {key: trace.get(key) for key in _TRACE_KEYS if key in trace}
    summary["retrieved"] = [
        {k: r.get(k) for k in ("doc_id", "locator", "language", "relevance", "similarity", "used")}
        for r in trace.get("retrieved") or []
    ]
    return [
        "## Trace",
        "",
        "```json",
        json.dumps(summary, ensure_ascii=False, indent=2),
        "```",
        "",
    ]


def answer_markdown(record: dict[str, Any]) -> str:
    """Return a readable Markdown export of an answer record: answer, citations, trace."""
    trace = record.get("trace") or {}
    question = str(trace.get("question", ""))
    lines = _md_answer(record, question) + _md_sources(record) + _md_trace(trace)
    return "\n".join(lines)
