"""The FAQ tab of the app: choose a scope, build a cited FAQ, download it.

:func:`render_faq_tab` adds its components to the caller's current Blocks or Tab
context. The build callback calls :func:`assistant.faq.build.build_faq` and renders its
typed result; every piece of document text is HTML-escaped before display. The build
endpoint is named ``faq_build`` so scripts can drive it with gradio_client.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings

__all__ = ["TABLE_COLUMNS", "render_faq_tab", "render_entries"]

TABLE_COLUMNS = ["id", "group", "question", "answer", "sources", "status"]
_ANY = ""


def render_entries(faq: Any) -> str:
    """HTML for a built FAQ: entries grouped by topic, each with its numbered sources."""
    from assistant.faq.export import source_label

    parts: list[str] = [f"<h3>{html.escape(faq.title)}</h3>"]
    group = None
    for entry in faq.exported():
        if entry.group != group:
            group = entry.group
            parts.append(f"<h4>{html.escape(group)}</h4>")
        sources = "".join(
            f"<li value=\"{c.n}\">{html.escape(source_label(c))}</li>" for c in entry.citations
        )
        stale = (
            f'<p class="ra-meta"><em>Stale — review: {html.escape(entry.stale_reason)}</em></p>'
            if entry.stale else ""
        )
        parts.append(
            f'<div class="ra-card" data-faq-id="{html.escape(entry.id)}">'
            f"<header>{html.escape(entry.shown_question)}</header>"
            f'<div class="ra-text">{html.escape(entry.shown_answer)}</div>{stale}'
            f'<ol class="ra-meta">{sources}</ol></div>'
        )
    if faq.dropped:
        items = "".join(
            f"<li>{html.escape(d.question)} — <em>{html.escape(d.reason)}</em></li>" for d in faq.dropped
        )
        parts.append(f"<details><summary>Dropped ({len(faq.dropped)})</summary><ul>{items}</ul></details>")
    return "".join(parts)


def _table(faq: Any) -> list[list[str]]:
    from assistant.faq.export import source_label

    return [
        [
            e.id, e.group, e.shown_question, e.shown_answer,
            "; ".join(f"[{c.n}] {source_label(c)}" for c in e.citations),
            e.status + (" (stale)" if e.stale else ""),
        ]
        for e in faq.exported()
    ]


def _summary(faq: Any) -> str:
    s = faq.summary
    return (
        f"**{s.get('kept', 0)}** questions kept · {s.get('dropped', 0)} dropped (not supported as asked)"
        f" · {s.get('merged', 0)} merged as near-duplicates · {s.get('proposed', 0)} proposed"
    )


def _build_handler(assistant: Any) -> Callable[..., Any]:
    """Make the build button's callback: the FAQ, its table, its cards and five downloads."""
    import gradio as gr

    from assistant.faq.build import FaqRequest, build_faq
    from assistant.faq.export import export_faq

    def build(
        doc_ids: list[str] | None,
        kind: str | None,
        topic: str | None,
        audience: str,
        language: str | None,
        n: float,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's injection idiom
    ) -> tuple[str, list[list[str]], str, str, str, str, str, str]:
        try:
            request = FaqRequest(
                doc_ids=list(doc_ids or []), kinds=[kind] if kind else [], topic=topic or "",
                audience=audience or "practitioners", language=language or None, n=int(n),
            )
        except ValueError as e:
            raise gr.Error(f"Invalid FAQ options: {e}") from e

        def on_progress(done: int, total: int, message: str) -> None:
            progress((done, total), desc=message)

        try:
            faq = build_faq(assistant, request, on_progress=on_progress)
        except AssistantError as e:
            raise gr.Error(str(e)) from e
        folder = Path(tempfile.mkdtemp(prefix="ra-faq-"))
        paths = [
            str(export_faq(faq, folder / f"faq.{suffix}"))
            for suffix in ("md", "csv", "json", "docx", "faq.json")
        ]
        return (_summary(faq), _table(faq), render_entries(faq), *paths)  # type: ignore[return-value]

    return build


def render_faq_tab(assistant: Any, settings: Settings) -> None:
    """Add the FAQ builder's components to the current Gradio Blocks/Tab context.

    The FAQ is built with ``assistant`` and its settings (``faq_*`` values); ``settings``
    is the app's, passed by the caller like every tab's, and only its ``faq_*`` values
    are shown to the trainer.
    """
    import gradio as gr

    from assistant.faq.questions import AUDIENCES, TEMPLATE_LANGUAGES

    documents = assistant.info().documents
    doc_choices = [(f"{d['title']} ({d['doc_id']})", str(d["doc_id"])) for d in documents]
    kinds = sorted({str(d["kind"]) for d in documents if d["kind"]})
    languages = sorted({str(d["language"]) for d in documents} & set(TEMPLATE_LANGUAGES))

    gr.Markdown(
        "Build a FAQ for a workshop: questions drawn from the chosen documents, each answered"
        " with citations. Questions the corpus cannot support are dropped and listed; near-"
        f"duplicates (similarity ≥ {settings.faq_duplicate_similarity:g}) are merged."
    )
    with gr.Row():
        docs = gr.Dropdown(doc_choices, value=[], multiselect=True, label="Documents (none: all)")
        kind = gr.Dropdown([("Any kind", _ANY), *[(k, k) for k in kinds]], value=_ANY, label="Kind")
    with gr.Row():
        topic = gr.Textbox(label="Topic (optional)", placeholder="e.g. indigenous peoples and local communities")
        audience = gr.Radio(list(AUDIENCES), value="practitioners", label="Audience")
        language = gr.Dropdown(
            [("Language of the documents", _ANY), *[(code, code) for code in languages]],
            value=_ANY, label="Language",
        )
        n = gr.Slider(1, 100, value=20, step=1, label="Questions")
    button = gr.Button("Build FAQ", variant="primary")
    summary = gr.Markdown()
    with gr.Row():
        downloads = [
            gr.DownloadButton(label, value=None)
            for label in ("Markdown", "CSV", "JSON", "Word (DOCX)", "FAQ file for review (.faq.json)")
        ]
    entries = gr.HTML()
    table = gr.Dataframe(headers=TABLE_COLUMNS, datatype="str", interactive=False, wrap=True, label="Entries")
    button.click(
        _build_handler(assistant),
        [docs, kind, topic, audience, language, n],
        [summary, table, entries, *downloads],
        api_name="faq_build",
    )
