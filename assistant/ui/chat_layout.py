"""The Chat tab's components: the conversation column and the options accordion.

Only layout lives here (what is shown, labels, element ids the browser tests use); the
events and their handlers are in :mod:`assistant.ui.chat`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from assistant.core.settings import Settings

__all__ = ["conversation_components", "option_components"]


def conversation_components(examples: list[str]) -> SimpleNamespace:
    """Create the chat, the question box and ask button, the examples, feedback and exports."""
    import gradio as gr

    chatbot = gr.Chatbot(
        label="Chat",
        show_label=False,
        buttons=[],  # copying would copy our HTML; the export buttons give clean text
        height=520,
        render_markdown=False,
        sanitize_html=True,
        latex_delimiters=[],
        elem_id="ra-chat",
        placeholder=(
            "Ask about ecosystem restoration: CBD decision XI/16, later decisions,"
            " guidance and case studies. Every sentence of an answer cites its passage."
        ),
    )
    with gr.Row():
        question_box = gr.Textbox(
            label="Your question",
            placeholder="Ask in English, 中文, español, français…",
            max_lines=4,
            scale=5,
            elem_id="ra-question",
        )
        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ra-ask")
    gr.Examples(examples, inputs=question_box, label="Example questions")
    with gr.Row():
        up = gr.Button("✓ Helpful", size="sm", elem_id="ra-thumbs-up")
        down = gr.Button("✗ Not helpful", size="sm", elem_id="ra-thumbs-down")
        comment = gr.Textbox(
            placeholder="Optional comment: what was wrong or missing?",
            show_label=False,
            max_lines=2,
            scale=3,
            elem_id="ra-comment",
        )
    feedback_status = gr.HTML(elem_id="ra-feedback-status")
    with gr.Row():
        export_md = gr.DownloadButton(
            "Download answer (Markdown)",
            interactive=False,
            size="sm",
            elem_id="ra-export-md",
        )
        export_json = gr.DownloadButton(
            "Download answer (JSON)", interactive=False, size="sm", elem_id="ra-export-json"
        )
        clear = gr.Button("Clear chat", size="sm", elem_id="ra-clear")
    return SimpleNamespace(
        chatbot=chatbot, question_box=question_box, ask=ask, up=up, down=down, comment=comment,
        feedback_status=feedback_status, export_md=export_md, export_json=export_json, clear=clear,
    )  # fmt: skip


def option_components(modes: list[str], settings: Settings, catalog: Any) -> list[Any]:
    """Create the options: answer mode, passages (k), then the five filter dropdowns.

    Returns them in the chat handler's order: mode, k, kind, language, document, region,
    ecosystem.
    """
    import gradio as gr

    default_mode = settings.answer_mode if settings.answer_mode in modes else modes[0]
    with gr.Accordion("Options: answer mode, passages, filters", open=False):
        mode_choice = gr.Radio(
            modes,
            value=default_mode,
            label="Answer mode",
            info="extractive: quotes passages (no LLM)"
            + ("; llm: written by the configured model" if "llm" in modes else ""),
            interactive=len(modes) > 1,
        )
        k_slider = gr.Slider(1, 20, value=min(settings.top_k, 20), step=1, label="Passages (k)")
        kind_choice = gr.Dropdown(catalog.kinds, value=[], multiselect=True, label="Kind")
        language_choice = gr.Dropdown(
            catalog.languages, value=[], multiselect=True, label="Passage language"
        )
        document_choice = gr.Dropdown(
            catalog.document_choices(), value=[], multiselect=True, label="Document"
        )
        region_choice = gr.Dropdown(catalog.regions, value=[], multiselect=True, label="Region")
        ecosystem_choice = gr.Dropdown(
            catalog.ecosystems, value=[], multiselect=True, label="Ecosystem"
        )
    return [
        mode_choice, k_slider, kind_choice, language_choice, document_choice, region_choice,
        ecosystem_choice,
    ]  # fmt: skip
