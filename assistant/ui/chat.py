"""The Chat tab: streamed answers with citation cards, options, feedback and exports.

Callbacks call :class:`assistant.pipeline.Assistant` and render its typed results
with :mod:`assistant.ui.render`; the conversation's memory is a per-session list of
:class:`assistant.core.records.Turn` passed back as ``history=`` on every question.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answering.conversation import recent_history, validate_question
from assistant.core.errors import AssistantError, InvalidQuestion
from assistant.core.records import Turn
from assistant.core.settings import Settings
from assistant.retrieval.hybrid import FILTER_FIELDS, Filters
from assistant.ui.chat_layout import conversation_components, option_components
from assistant.ui.feedback import FeedbackReceipt, RecordSigner, record_feedback
from assistant.ui.render import (
    answer_json,
    answer_markdown,
    citation_cards,
    render_answer,
    render_error,
    render_partial,
    render_question,
    status_html,
)

__all__ = [
    "EXAMPLES",
    "ChatTab",
    "build_chat_tab",
    "filter_updates",
    "parse_filters",
    "parse_history",
    "write_exports",
]

EXAMPLES = [
    "What does decision XI/16 ask Parties to do about the causes of degradation?",
    "What is Target 2 of the Kunming-Montreal Global Biodiversity Framework?",
    "Which case studies restored mangroves, and what did they achieve?",
    "生态系统退化的根本原因和直接原因应该怎么处理？",
    "第XI/16号决定对土著和地方社区的参与有什么要求？",
]
EXPORT_MAX_AGE_S = 86_400
CARDS_PLACEHOLDER = (
    '<div class="ra-note">Sources appear here: each cited passage with its document,'
    " paragraph or section, and the quoted sentences highlighted.</div>"
)


@dataclass
class ChatTab:
    """The chat's filter dropdowns, refreshed when the library changes."""

    filters: list[Any]


def filter_updates(catalog: Any) -> list[Any]:
    """Return updates for the filter dropdowns (kind, language, document, region, ecosystem)."""
    import gradio as gr

    return [
        gr.update(choices=catalog.kinds),
        gr.update(choices=catalog.languages),
        gr.update(choices=catalog.document_choices()),
        gr.update(choices=catalog.regions),
        gr.update(choices=catalog.ecosystems),
    ]


def save_rating(settings: Settings, record: dict[str, Any], rating: str, comment: str) -> FeedbackReceipt:
    """Store a rating of an answer record for the chat and the API alike; errors reach the user."""
    import gradio as gr

    try:
        return record_feedback(
            settings.feedback_dir,
            question=str(record["trace"].get("question", "")),
            answer=record,
            rating="up" if rating == "up" else "down",
            comment=comment,
        )
    except AssistantError as e:
        raise gr.Error(str(e)) from e


def parse_filters(values: dict[str, Any] | None) -> Filters:
    """Build :class:`Filters` from an API dict; unknown keys are an error, not ignored."""
    values = values or {}
    unknown = sorted(set(values) - set(FILTER_FIELDS))
    if unknown:
        raise AssistantError(
            f"unknown filter(s) {', '.join(unknown)}; use {', '.join(FILTER_FIELDS)}"
        )
    try:
        return Filters.of(**values)
    except (TypeError, ValueError) as e:
        raise AssistantError(f"invalid filter value ({e})") from e


def parse_history(items: Sequence[Any] | None) -> list[Turn]:
    """Read a conversation's earlier turns as API clients send them.

    Each item is an earlier question (a string), a turn (``{"question", "doc_ids",
    "condensed"}``), or an answer record returned by ``/ask`` (its trace holds the question).
    """
    turns: list[Turn] = []
    for item in items or []:
        if isinstance(item, str):
            turns.append(Turn(question=item))
        elif isinstance(item, dict) and "trace" in item:
            trace = item.get("trace") or {}
            cited = item.get("citations") or item.get("related") or []
            turns.append(
                Turn(
                    question=str(trace.get("question", "")),
                    doc_ids=tuple(dict.fromkeys(str(c.get("doc_id", "")) for c in cited)),
                    condensed=str(trace.get("condensed_query", "")),
                )
            )
        elif isinstance(item, dict) and item.get("question"):
            turns.append(
                Turn(
                    question=str(item["question"]),
                    doc_ids=tuple(str(d) for d in item.get("doc_ids") or ()),
                    condensed=str(item.get("condensed", "")),
                )
            )
        else:
            raise AssistantError("history items must be earlier questions, turns or answer records")
    return [t for t in turns if t.question]


def write_exports(record: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write the Markdown and JSON exports of one answer into a fresh sub-folder.

    Exports older than a day are removed first, so a server that runs for months does
    not fill its temporary folder (Gradio serves its own copy of each file).
    """
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - EXPORT_MAX_AGE_S
    for old in folder.glob("answer-*"):
        if old.is_dir() and old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    target = Path(tempfile.mkdtemp(dir=folder, prefix="answer-"))
    markdown = target / "restoration-answer.md"
    data = target / "restoration-answer.json"
    markdown.write_text(answer_markdown(record), encoding="utf-8")
    data.write_text(answer_json(record), encoding="utf-8")
    return markdown, data


def _user(text: str) -> dict[str, str]:
    return {"role": "user", "content": render_question(text)}


def _bot(html: str) -> dict[str, str]:
    return {"role": "assistant", "content": html}


def build_chat_tab(
    assistant: Any, settings: Settings, catalog: Any, downloads: Path, signer: RecordSigner
) -> ChatTab:
    """Create the Chat tab's components and events inside the current Blocks context.

    ``signer`` signs the answer records the chat hands out, so ``/feedback`` accepts them.
    """
    import gradio as gr

    turns = gr.State([])
    answers = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = conversation_components(EXAMPLES)
        with gr.Column(scale=2):
            options = option_components(list(assistant.modes), settings, catalog)
            cards = gr.HTML(CARDS_PLACEHOLDER, elem_id="ra-cards")
            with gr.Accordion("Answer record and trace (JSON)", open=False):
                record = gr.JSON(label="Answer record", elem_id="ra-record")
    inputs = [chat.question_box, chat.chatbot, *options, turns, answers]
    outputs = [
        chat.chatbot,
        cards,
        record,
        chat.question_box,
        turns,
        answers,
        chat.export_md,
        chat.export_json,
        chat.feedback_status,
    ]
    respond = _respond_handler(assistant, settings, downloads, signer)
    chat.question_box.submit(respond, inputs, outputs, api_name="chat")
    chat.ask.click(respond, inputs, outputs, api_name="chat_button", api_visibility="undocumented")
    rate_up, rate_down, on_like = _rating_handlers(settings)
    for event, handler, name in ((chat.up.click, rate_up, "rate_up"), (chat.down.click, rate_down, "rate_down"),
                                 (chat.chatbot.like, on_like, "like")):
        event(handler, [answers, chat.comment], [chat.feedback_status, chat.comment], api_name=name,
              api_visibility="undocumented")
    chat.clear.click(_reset, None, outputs, api_name="clear", api_visibility="undocumented")
    chat.chatbot.clear(_reset, None, outputs, api_name="clear_chatbot", api_visibility="private")
    return ChatTab(filters=options[2:])


def _respond_handler(
    assistant: Any, settings: Settings, downloads: Path, signer: RecordSigner
) -> Any:
    """Return the chat's handler: stream the answer, then its cards, record, memory and exports."""
    import gradio as gr

    def respond(
        question: str,
        messages: list[dict[str, Any]] | None,
        mode: str,
        k: float,
        kind: list[str],
        language: list[str],
        doc_id: list[str],
        region: list[str],
        ecosystem: list[str],
        history: list[Turn],
        records: list[dict[str, Any] | None],
    ) -> Iterator[tuple[Any, ...]]:
        skip = gr.skip()
        try:
            text = validate_question(question, settings.max_question_chars)
        except InvalidQuestion as e:
            raise gr.Error(str(e)) from e
        filters = Filters.of(
            kind=kind, language=language, doc_id=doc_id, region=region, ecosystem=ecosystem
        )
        shown = [*(messages or []), _user(text), _bot(render_partial("…"))]
        yield shown, skip, skip, "", skip, skip, skip, skip, ""
        answer = None
        try:
            for event in assistant.stream(
                text,
                history=recent_history(text, history, settings),
                filters=filters, k=int(k), mode=mode or None
            ):
                if isinstance(event, str):
                    shown[-1] = _bot(render_partial(event))
                    yield shown, skip, skip, skip, skip, skip, skip, skip, skip
                else:
                    answer = event
        except AssistantError as e:
            shown[-1] = _bot(render_error(str(e)))
            yield shown, skip, skip, skip, history, [*records, None], skip, skip, skip
            raise gr.Error(str(e)) from e
        assert answer is not None
        data = signer.sign(answer.to_dict())
        shown[-1] = _bot(render_answer(answer))
        yield _answered(shown, answer, data, [*history, Turn.of(text, answer)], records, downloads)

    return respond


def _answered(
    shown: list[dict[str, str]],
    answer: Any,
    data: dict[str, Any],
    history: list[Turn],
    records: list[dict[str, Any] | None],
    downloads: Path,
) -> tuple[Any, ...]:
    """Return the chat's outputs once an answer is complete: cards, record, memory, exports."""
    import gradio as gr

    markdown, json_file = write_exports(data, downloads)
    return (
        shown,
        citation_cards(answer),
        data,
        gr.skip(),
        history,
        [*records, data],
        gr.update(value=str(markdown), interactive=True),
        gr.update(value=str(json_file), interactive=True),
        "",
    )


def _rating_handlers(settings: Settings) -> tuple[Any, Any, Any]:
    """Return the thumbs-up, thumbs-down and chatbot-like handlers; each saves a rating."""
    import gradio as gr

    def rate(
        records: list[dict[str, Any] | None], note: str, rating: str, index: int = -1
    ) -> tuple[str, str]:
        if not records or not -len(records) <= index < len(records) or records[index] is None:
            raise gr.Error("Ask a question first: there is no answer to rate yet.")
        data = records[index]
        assert data is not None
        receipt = save_rating(settings, data, rating, note)
        message = "Thanks, your feedback is saved."
        if receipt.candidate_id:
            message += f" It is queued for review as eval item {receipt.candidate_id}."
        return status_html(message, "ok"), ""

    def rate_up(records: list[dict[str, Any] | None], note: str) -> tuple[str, str]:
        return rate(records, note, "up")

    def rate_down(records: list[dict[str, Any] | None], note: str) -> tuple[str, str]:
        return rate(records, note, "down")

    def on_like(
        records: list[dict[str, Any] | None], note: str, data: gr.LikeData
    ) -> tuple[str, str]:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        if data.liked not in (True, False) or not isinstance(index, int):
            return gr.skip(), gr.skip()
        return rate(records, note, "up" if data.liked else "down", index // 2)

    # Gradio finds the event-data parameter by its type; the postponed annotation string
    # cannot be resolved here (gradio is imported inside this function).
    on_like.__annotations__["data"] = gr.LikeData
    return rate_up, rate_down, on_like


def _reset() -> tuple[Any, ...]:
    """Empty the chat, cards, record, memory and exports."""
    import gradio as gr

    off = gr.update(value=None, interactive=False)
    return [], CARDS_PLACEHOLDER, None, "", [], [], off, off, ""
