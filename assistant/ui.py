"""The Gradio chat: renders structured answers and citation cards, nothing more.

Callbacks call :class:`assistant.pipeline.Assistant` methods and render their typed
results. Every piece of document or answer text is HTML-escaped before display, so a
document containing markup or scripts shows as text and runs nothing.
"""

from __future__ import annotations

import html
from typing import Any

from assistant.errors import AssistantError
from assistant.records import Answer, Citation
from assistant.settings import Settings

__all__ = ["build_app", "launch", "render_citations"]

EXAMPLES = [
    "What does decision XI/16 ask Parties to do about the causes of degradation?",
    "生态系统恢复能否取代保护？",
    "What is Target 2 of the Kunming-Montreal Global Biodiversity Framework?",
    "Which case studies restored mangroves, and what did they achieve?",
]
_KIND_LABEL = {"decision": "Decision", "guidance": "Guidance", "case-study": "Case study"}
CSS = """
.ra-card {border:1px solid var(--border-color-primary); border-radius:8px; padding:10px 12px; margin:8px 0;}
.ra-card header {font-weight:600; margin-bottom:4px;}
.ra-badge {display:inline-block; font-size:0.75em; padding:1px 6px; border-radius:6px;
  background:var(--color-accent-soft); margin-right:6px;}
.ra-meta {font-size:0.85em; opacity:0.8; margin-bottom:6px;}
.ra-text {white-space:pre-wrap; font-size:0.92em;}
.ra-text mark {background: #fff3a0; color: inherit;}
.ra-related {opacity:0.85;}
"""


def _highlight(text: str, supporting: tuple[str, ...]) -> str:
    """Escape ``text`` and mark the sentences the answer quoted from it."""
    escaped = html.escape(text)
    for sentence in supporting:
        quoted = html.escape(sentence)
        if quoted and quoted in escaped:
            escaped = escaped.replace(quoted, f"<mark>{quoted}</mark>", 1)
    return escaped


def _card(citation: Citation, related: bool) -> str:
    badge = _KIND_LABEL.get(citation.kind, citation.kind or "Document")
    where = " · ".join(
        html.escape(x)
        for x in (citation.symbol and f"decision {citation.symbol}", citation.locator, citation.language)
        if x
    )
    context = (
        f'<div class="ra-meta">{html.escape(citation.context)}</div>' if citation.context else ""
    )
    return (
        f'<div class="ra-card{" ra-related" if related else ""}" data-n="{citation.n}">'
        f"<header>[{citation.n}] <span class=\"ra-badge\">{html.escape(badge)}</span>"
        f"{html.escape(citation.title)}</header>"
        f'<div class="ra-meta">{where}</div>{context}'
        f'<div class="ra-text">{_highlight(citation.text, citation.supporting)}</div></div>'
    )


def render_citations(answer: Answer) -> str:
    """HTML citation cards for an answer (or 'possibly related' cards for a refusal)."""
    if answer.supported:
        cards = "".join(_card(c, related=False) for c in answer.citations)
        return f"<h4>Sources</h4>{cards}" if cards else ""
    cards = "".join(_card(c, related=True) for c in answer.related)
    return f"<h4>Possibly related</h4>{cards}" if cards else ""


def _reply_text(answer: Answer) -> str:
    notices = "".join(f"_{n}_\n\n" for n in answer.notices)
    return notices + answer.text


def build_app(assistant: Any) -> Any:
    """Build the Blocks app around one assistant (no store access happens here)."""
    import gradio as gr

    def respond(message: str, history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, dict[str, Any], str]:
        history = list(history or [])
        try:
            answer = assistant.ask(message)
        except AssistantError as e:
            raise gr.Error(str(e)) from e
        history += [
            {"role": "user", "content": message},
            {"role": "assistant", "content": _reply_text(answer)},
        ]
        return history, render_citations(answer), answer.to_dict(), ""

    def ask_api(question: str) -> dict[str, Any]:
        try:
            return assistant.ask(question).to_dict()
        except AssistantError as e:
            raise gr.Error(str(e)) from e

    with gr.Blocks(title="Restoration Assistant") as demo:
        gr.Markdown(
            "## Restoration Assistant\nAnswers from CBD decisions, guidance and case studies —"
            " every sentence cites its source."
        )
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=460, sanitize_html=True, render_markdown=False)
                question = gr.Textbox(
                    label="Your question", placeholder="Ask in English, 中文, español, français…", lines=1
                )
                with gr.Row():
                    send = gr.Button("Ask", variant="primary")
                    clear = gr.Button("Clear chat")
                gr.Examples(EXAMPLES, inputs=question)
            with gr.Column(scale=2):
                cards = gr.HTML(label="Sources")
        last = gr.JSON(visible=False)
        outputs = [chatbot, cards, last, question]
        question.submit(respond, [question, chatbot], outputs, api_name="chat")
        send.click(respond, [question, chatbot], outputs, api_name=False)
        clear.click(lambda: ([], "", None, ""), None, outputs, api_name=False)
        gr.Button(visible=False).click(ask_api, gr.Textbox(visible=False), gr.JSON(visible=False), api_name="ask")
    demo.queue(default_concurrency_limit=4, max_size=64)
    return demo


def launch(demo: Any, settings: Settings, *, block: bool = True) -> Any:
    """Serve the app on ``settings.host:settings.port``."""
    import gradio as gr

    return demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        prevent_thread_lock=not block,
        show_error=True,
        theme=gr.themes.Soft(),
        css=CSS,
    )
