"""The Gradio app: chat with visible evidence, a library, and tabs for trainers and evaluators.

:func:`build_app` lays out the tabs around one :class:`assistant.pipeline.Assistant`;
callbacks call its methods and render the typed results (never parsing answer text
for sources). Every piece of document or answer text is HTML-escaped before display
(:mod:`assistant.ui.render`), so a document containing markup or scripts shows as text.

API endpoints (``gradio_client``): ``/ask`` (question + options → answer record),
``/chat`` (the chat as the page runs it, with the session's memory), ``/feedback``,
``/export``, ``/library``, ``/upload``, ``/delete_document``, ``/evaluate``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError
from assistant.core.settings import Settings
from assistant.ui.feedback import RecordSigner
from assistant.ui.login_guard import LoginGuard, LoginThrottle, checked_login

__all__ = ["CSS", "app_credentials", "build_app", "launch"]

CSS = """
.ra-card {border:1px solid var(--border-color-primary); border-radius:8px; padding:10px 12px;
  margin:8px 0; background:var(--background-fill-primary);}
.ra-card header {font-weight:600; margin-bottom:4px;}
.ra-card .ra-n {color:var(--color-accent); margin-right:4px;}
.ra-related {border-style:dashed; opacity:0.9;}
.ra-meta {font-size:0.85em; display:flex; flex-wrap:wrap; gap:6px; align-items:center; margin-bottom:6px;}
.ra-badge {display:inline-block; font-size:0.8em; padding:1px 7px; border-radius:10px;
  background:var(--color-accent-soft); border:1px solid var(--border-color-accent-subdued);}
.ra-kind-decision {background:#e3ecff;} .ra-kind-guidance {background:#e6f6e6;}
.ra-kind-case-study {background:#fff1dc;}
.ra-uploaded {background:#ffe9c7; border-color:#d08a00;}
.ra-lang {text-transform:uppercase;} .ra-maybe {background:#f1f1f1; font-style:italic;}
.ra-context {font-size:0.85em; opacity:0.75; margin-bottom:4px; white-space:pre-wrap;}
.ra-text {white-space:pre-wrap; font-size:0.92em;}
.ra-text mark {background:#fff3a0; color:inherit; padding:0 1px;}
.ra-ref {font-size:0.8em; font-weight:600; color:var(--color-accent); margin-left:1px;}
.ra-unsupported {background:#ffe3e3; text-decoration:underline wavy #d33;}
.ra-notice {font-style:italic; opacity:0.85; margin-bottom:4px;}
.ra-frame {font-weight:600; margin-top:6px;}
.ra-streaming {white-space:pre-line;}
.ra-quote {margin:2px 0 8px 0; padding-left:10px; border-left:3px solid #9ab;}
.ra-sources {font-size:0.85em; margin-top:6px; opacity:0.9;}
.ra-sources ul {margin:2px 0 0 0; padding-left:1.1em;}
.ra-sources-h {font-weight:600;}
.ra-refusal > p {font-style:italic;}
.ra-error {color:#b00020;}
.ra-note {opacity:0.75; font-size:0.9em;}
.ra-status-ok {color:#1a7f37;} .ra-status-error {color:#b00020;}
.ra-results td, .ra-results th {padding:2px 8px; border-bottom:1px solid var(--border-color-primary);}
"""
HEADER = (
    "## Restoration Assistant\n"
    "Answers ecosystem-restoration questions from CBD decision XI/16 (Chinese original and"
    " English translation), later decisions, guidance and case studies. **Every sentence"
    " cites its passage**; when the corpus does not cover a question, the assistant says so."
)


def _faq_tab(assistant: Any, settings: Settings) -> None:
    """Show the FAQ builder when its module is installed, else one line saying it is coming."""
    import gradio as gr

    try:
        from assistant.ui.faq_tab import render_faq_tab
    except ImportError as e:
        gr.Markdown(f"The FAQ builder is not available in this version ({e.msg}).")
        return
    render_faq_tab(assistant, settings)


def _api_endpoints(assistant: Any, settings: Settings, signer: RecordSigner) -> None:
    """Register the API-only endpoints (typed functions, no components)."""
    import gradio as gr

    from assistant.ui.render import answer_json, answer_markdown

    def export(record: dict[str, Any], fmt: str = "markdown") -> str:
        """Export an answer record with its citations and trace as 'markdown' or 'json' text."""
        if fmt not in ("markdown", "json"):
            raise gr.Error("fmt must be 'markdown' or 'json'")
        return answer_markdown(record) if fmt == "markdown" else answer_json(record)

    gr.api(_ask_endpoint(assistant, signer), api_name="ask")
    gr.api(_feedback_endpoint(settings, signer), api_name="feedback")
    gr.api(export, api_name="export")


def _ask_endpoint(assistant: Any, signer: RecordSigner) -> Callable[..., dict[str, Any]]:
    """Return ``/ask``: answer a question and sign the answer record."""
    import gradio as gr

    from assistant.ui.chat import parse_filters, parse_history

    def ask(
        question: str,
        mode: str = "",
        k: int = 0,
        filters: dict[str, Any] | None = None,
        history: list[Any] | None = None,
    ) -> dict[str, Any]:
        """Answer a question with citations and return the answer record.

        mode: 'extractive' or 'llm' (empty: the server's default). k: passages (0: default).
        filters: {"kind", "language", "doc_id", "year", "region", "ecosystem"} → lists of values.
        history: the conversation so far: earlier questions, or answer records from /ask.
        """
        if mode and mode not in assistant.modes:
            raise gr.Error(
                f"mode '{mode}' is not available here; use one of {', '.join(assistant.modes)}"
            )
        if k and not 1 <= k <= 50:
            raise gr.Error("k must be between 1 and 50")
        try:
            answer = assistant.ask(
                question,
                history=parse_history(history),
                filters=parse_filters(filters),
                k=k or None,
                mode=mode or None,
            )
        except AssistantError as e:
            raise gr.Error(str(e)) from e
        return signer.sign(answer.to_dict())

    return ask


def _feedback_endpoint(settings: Settings, signer: RecordSigner) -> Callable[..., dict[str, Any]]:
    """Return ``/feedback``: check a signed answer record, then save its rating."""
    import gradio as gr

    from assistant.ui.chat import save_rating

    def feedback(record: dict[str, Any], rating: str, comment: str = "") -> dict[str, Any]:
        """Rate an answer record ('up' or 'down'); a thumbs-down also becomes a candidate eval item.

        record: an answer record exactly as /ask returned it (it carries this server's signature).
        """
        if rating not in ("up", "down"):
            raise gr.Error("rating must be 'up' or 'down'")
        if not isinstance(record, dict) or "trace" not in record:
            raise gr.Error("record must be an answer record as returned by /ask")
        limit = int(settings.max_feedback_kb * 1024)
        size = len(json.dumps(record, ensure_ascii=False)) + len(comment or "")
        if size > limit:
            raise gr.Error(
                f"feedback of {size / 1024:,.0f} KB is over the {settings.max_feedback_kb:g} KB"
                " limit (max_feedback_kb)"
            )
        if not signer.verify(record):
            raise gr.Error(
                "record is not an answer this server gave (or was changed): rate the record"
                " exactly as /ask returned it"
            )
        receipt = save_rating(settings, record, rating, comment)
        return {"feedback_id": receipt.feedback_id, "candidate_id": receipt.candidate_id}

    return feedback


def build_app(assistant: Any, settings: Settings | None = None) -> Any:
    """Build the Blocks app around one assistant.

    ``settings`` holds the app's own options (uploads, feedback folder, queue); by
    default the assistant's settings.
    """
    import gradio as gr

    from assistant.ui.chat import build_chat_tab, filter_updates
    from assistant.ui.eval_tab import build_eval_tab
    from assistant.ui.library import build_library_tab, read_catalog

    settings = settings or assistant.settings
    downloads = Path(tempfile.mkdtemp(prefix="restoration-app-"))
    signer = RecordSigner()  # answer records this app hands out; /feedback rates only these
    catalog = read_catalog(assistant)
    with gr.Blocks(title="Restoration Assistant", analytics_enabled=False) as demo:
        gr.Markdown(HEADER)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat = build_chat_tab(assistant, settings, catalog, downloads, signer)
            with gr.Tab("Library", id="library"):
                library, _ = build_library_tab(assistant, settings, catalog, chat.filters)
            with gr.Tab("FAQ", id="faq"):
                _faq_tab(assistant, settings)
            if settings.eval_enabled:
                with gr.Tab("Evaluate", id="evaluate"):
                    build_eval_tab(assistant, settings, downloads)
        _api_endpoints(assistant, settings, signer)

        def on_load() -> list[Any]:
            fresh = read_catalog(assistant)
            return [
                gr.update(value=fresh.rows()),
                gr.update(choices=fresh.document_choices()),
                *filter_updates(fresh),
            ]

        demo.load(
            on_load,
            None,
            [library.table, library.delete_choice, *chat.filters],
            api_name="catalog",
            api_visibility="undocumented",
        )
    demo.queue(
        default_concurrency_limit=settings.concurrency_limit, max_size=settings.queue_max_size
    )
    weakref.finalize(demo, shutil.rmtree, downloads, ignore_errors=True)
    return demo


def app_credentials(
    settings: Settings, environ: Mapping[str, str] | None = None
) -> dict[str, str] | None:
    """Return ``{user: password}`` for the configured accounts (user and operator), or ``None``.

    Raises:
        AssistantError: an account name is set but its password variable is empty.

    """
    env = os.environ if environ is None else environ
    accounts: dict[str, str] = {}
    for name, variable in (
        (settings.auth_username, settings.auth_password_env),
        (settings.operator_username, settings.operator_password_env),
    ):
        if not name:
            continue
        password = env.get(variable, "")
        if not password:
            raise AssistantError(
                f"the account '{name}' is configured but its password variable {variable}"
                " is empty: set it before starting the app"
            )
        accounts[name] = password
    return accounts or None


def launch(
    demo: Any,
    settings: Settings,
    *,
    block: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Any:
    """Serve the app on ``settings.host:settings.port`` (with login when configured).

    ``environ`` is where the password variables are read (default: the process
    environment). Failed sign-ins are throttled per user name and per address.
    """
    import gradio as gr
    from starlette.middleware import Middleware

    accounts = app_credentials(settings, environ)
    guard = LoginGuard(settings.login_max_failures, settings.login_window_s, settings.login_lockout_s)
    return demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        prevent_thread_lock=not block,
        show_error=True,
        auth=checked_login(accounts, guard) if accounts else None,
        auth_message="Restoration Assistant: please sign in." if accounts else None,
        app_kwargs={"middleware": [Middleware(LoginThrottle, guard=guard)]} if accounts else None,
        max_file_size=int(settings.max_upload_mb * 1_048_576),
        ssr_mode=False,
        mcp_server=False,
        footer_links=["api"],
        theme=gr.themes.Soft(),
        css=CSS,
        quiet=True,
    )


def close_app(demo: Any, timeout_s: float = 2.0) -> None:
    """Stop a launched app from another thread without racing its event loop.

    Gradio's ``close()`` sets an ``asyncio.Event`` from the calling thread while
    streaming requests on the server's loop may be adding or removing waiters,
    which can fail with "deque mutated during iteration". Setting the event on
    its own loop first makes the later ``set()`` inside ``close()`` a no-op.
    """
    import time

    event = getattr(getattr(demo, "app", None), "stop_event", None)
    loop = getattr(event, "_loop", None)  # bound when a request first waited on it
    if event is not None and loop is not None and loop.is_running():
        loop.call_soon_threadsafe(event.set)
        deadline = time.monotonic() + timeout_s
        while not event.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
    demo.close()
