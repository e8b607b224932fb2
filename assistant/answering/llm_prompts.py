"""The LLM composer's prompts: versioned files, passages as quoted data, evidence first.

Prompts live in ``assistant/prompts`` as files with a ``# version:`` line, so every
answer's trace names the wording it was written with. Passages go into delimited
blocks the model is told to treat as data; a passage cannot close its own block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.answering.extractive import LANGUAGE_NAMES
from assistant.answering.verification import CheckedPassage
from assistant.core.errors import AssistantError
from assistant.core.records import Source
from assistant.language.llm_messages import LLM_NOTICES as _NOTICES
from assistant.language.llm_messages import PROMPT_REFUSALS
from assistant.language.llm_messages import READING as _READING

__all__ = [
    "ANSWER_PROMPT",
    "CONDENSE_PROMPT",
    "PROMPT_REFUSALS",
    "Prompt",
    "evidence",
    "evidence_preview",
    "format_passages",
    "language_name",
    "llm_notice",
    "load_prompt",
    "quote",
]

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
ANSWER_PROMPT = "answer-v2.txt"
CONDENSE_PROMPT = "condense-v2.txt"

_LANGUAGE_NAMES = {
    **LANGUAGE_NAMES["en"],
    "zh": "Chinese (简体中文)",
    "pt": "Portuguese",
    "de": "German",
    "ja": "Japanese",
    "ko": "Korean",
}
# A passage must not be able to close its own block and talk outside it.
_DELIMITER = re.compile(r"<(\s*/?\s*(?:passages?|conversation)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Prompt:
    """A versioned two-message prompt read from ``assistant/prompts``."""

    version: str
    system: str
    user: str

    def messages(self, **values: str) -> list[BaseMessage]:
        """Fill the placeholders; values are inserted as text, never re-parsed."""
        return [
            SystemMessage(self.system.format_map(values)),
            HumanMessage(self.user.format_map(values)),
        ]


def load_prompt(name: str) -> Prompt:
    """Read a prompt file: ``# version: …`` first, then ``[system]`` and ``[user]``."""
    # A path beside this module, not importlib.resources: an editable install can
    # expose the package as a namespace package, which resources cannot read.
    raw = (PROMPTS_DIR / name).read_text(encoding="utf-8")
    version = re.search(r"^# version:\s*(\S+)", raw, re.MULTILINE)
    sections = re.split(r"^\[(system|user)\]\s*$", raw, flags=re.MULTILINE)
    parts = dict(zip(sections[1::2], (s.strip() for s in sections[2::2]), strict=True))
    if version is None or set(parts) != {"system", "user"}:
        raise AssistantError(f"prompt file {name} needs a '# version:' line, [system] and [user]")
    return Prompt(version.group(1), parts["system"], parts["user"])


def language_name(code: str) -> str:
    """English name of a language code for the prompt ('zh' → 'Chinese (简体中文)')."""
    return _LANGUAGE_NAMES.get(code, code or "English")


def quote(text: str) -> str:
    """Defuse anything in ``text`` that would open or close a prompt block."""
    return _DELIMITER.sub(r"‹\1", text)


def _attribute(value: Any) -> str:
    return quote(str(value)).replace('"', "'").replace("\n", " ").strip()


def format_passages(sources: Sequence[Source]) -> str:
    """Write passages [1]..[k] as delimited blocks with title, symbol and locator."""
    blocks = []
    for n, source in enumerate(sources, start=1):
        meta = source.metadata
        header = " ".join(
            f'{name}="{_attribute(value)}"'
            for name, value in (
                ("n", n),
                ("title", meta.get("title", "")),
                ("symbol", meta.get("symbol", "")),
                ("locator", meta.get("locator", "")),
                ("language", source.language),
            )
            if value not in ("", None)
        )
        context = str(meta.get("context", "")).strip()
        lead = f"(Paragraph opening: {quote(context)})\n" if context else ""
        blocks.append(f"<passage {header}>\n{lead}{quote(source.text.strip())}\n</passage>")
    return "\n\n".join(blocks)


def evidence_preview(sources: Sequence[Source], language: str) -> str:
    """List the passages the model reads, numbered as it cites them, shown before its text.

    A slow model never leaves the user with nothing: what the answer will rest on is
    on screen at once, and the model's text grows below it.
    """
    lines = [_READING.get(language, _READING["en"])]
    for n, source in enumerate(sources, start=1):
        meta = source.metadata
        where = ", ".join(str(meta[k]) for k in ("symbol", "locator") if meta.get(k))
        title = str(meta.get("title", "") or source.doc_id)
        lines.append(f"[{n}] {title}" + (f" ({where})" if where else ""))
    return "\n".join(lines) + "\n\n"


def evidence(source: Source) -> CheckedPassage:
    """Gather what a cited passage offers a sentence: its header, opening and text."""
    meta = source.metadata
    header = " ".join(str(meta.get(k, "")) for k in ("title", "symbol", "locator") if meta.get(k))
    parts = [header, str(meta.get("context", "")), source.text]
    return CheckedPassage("\n".join(p for p in parts if p), source.language, source.text)


def llm_notice(kind: str, language: str, **values: object) -> str:
    """Fill in the notice ``kind`` in ``language`` (English when not translated).

    Language names are written in the notice's language ("英文", "inglés").
    """
    table = _NOTICES[kind]
    code = language if language in table else "en"
    names = LANGUAGE_NAMES.get(code, LANGUAGE_NAMES["en"])
    filled = {
        k: names.get(str(v), language_name(str(v))) if k in ("written", "asked") else v
        for k, v in values.items()
    }
    return table[code].format(**filled)
