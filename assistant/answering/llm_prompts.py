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
# The sentence the prompt asks for when the passages do not answer, per language.
PROMPT_REFUSALS = {
    "en": "The passages do not answer this question.",
    "zh": "这些段落没有回答这个问题。",
    "es": "Los pasajes no responden a esta pregunta.",
    "fr": "Les passages ne répondent pas à cette question.",
    "ru": "Эти фрагменты не отвечают на этот вопрос.",
    "ar": "لا تجيب هذه المقاطع عن هذا السؤال.",
}
# The line above the passages shown while the model writes (evidence first).
_READING = {
    "en": "Passages read for this answer:",
    "zh": "本回答所依据的段落：",
    "es": "Pasajes leídos para esta respuesta:",
    "fr": "Passages lus pour cette réponse :",
    "ru": "Фрагменты, прочитанные для этого ответа:",
    "ar": "المقاطع المقروءة لهذه الإجابة:",
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


# What the user is told when the model's text is not shown or is flagged, in the
# question's language (the design's rule for an answer's own words); English otherwise.
_NOTICES = {
    "failed": {
        "en": "The language model at {endpoint} did not answer ({reason}); this is the extractive answer.",
        "zh": "位于 {endpoint} 的语言模型没有回答（{reason}）；以下是抽取式回答。",
        "es": "El modelo de lenguaje en {endpoint} no respondió ({reason}); esta es la respuesta extractiva.",
        "fr": "Le modèle de langue à {endpoint} n'a pas répondu ({reason}) ; voici la réponse extractive.",
        "ru": "Языковая модель по адресу {endpoint} не ответила ({reason}); ниже — извлечённый ответ.",
        "ar": "لم يُجب النموذج اللغوي في {endpoint} ({reason})؛ وهذه هي الإجابة المستخرجة.",
    },
    "stopped": {
        "en": "The language model at {endpoint} stopped in the middle of its answer ({reason}); this is the extractive answer.",
        "zh": "位于 {endpoint} 的语言模型在回答中途停止（{reason}）；以下是抽取式回答。",
        "es": "El modelo de lenguaje en {endpoint} se detuvo a mitad de su respuesta ({reason}); esta es la respuesta extractiva.",
        "fr": "Le modèle de langue à {endpoint} s'est arrêté au milieu de sa réponse ({reason}) ; voici la réponse extractive.",
        "ru": "Языковая модель по адресу {endpoint} остановилась посреди ответа ({reason}); ниже — извлечённый ответ.",
        "ar": "توقف النموذج اللغوي في {endpoint} في منتصف إجابته ({reason})؛ وهذه هي الإجابة المستخرجة.",
    },
    "unsupported": {
        "en": "The language model's answer was not supported by the retrieved passages; this is the extractive answer.",
        "zh": "语言模型的回答没有得到检索到的段落的支持；以下是抽取式回答。",
        "es": "Los pasajes recuperados no respaldan la respuesta del modelo de lenguaje; esta es la respuesta extractiva.",
        "fr": "Les passages trouvés n'étayent pas la réponse du modèle de langue ; voici la réponse extractive.",
        "ru": "Найденные фрагменты не подтверждают ответ языковой модели; ниже — извлечённый ответ.",
        "ar": "لا تدعم المقاطع المسترجعة إجابة النموذج اللغوي؛ وهذه هي الإجابة المستخرجة.",
    },
    "language": {
        "en": "The language model answered in {written}, not in {asked}; this is the extractive answer.",
        "zh": "语言模型用{written}而不是{asked}回答；以下是抽取式回答。",
        "es": "El modelo de lenguaje respondió en {written}, no en {asked}; esta es la respuesta extractiva.",
        "fr": "Le modèle de langue a répondu en {written}, pas en {asked} ; voici la réponse extractive.",
        "ru": "Языковая модель ответила на языке «{written}», а не «{asked}»; ниже — извлечённый ответ.",
        "ar": "أجاب النموذج اللغوي باللغة {written} لا باللغة {asked}؛ وهذه هي الإجابة المستخرجة.",
    },
    "flagged": {
        "en": "{n} of {total} sentences of this answer are not supported by the passages they cite; check them against the sources.",
        "zh": "本回答的 {total} 个句子中有 {n} 个没有得到所引段落的支持；请对照来源核实。",
        "es": "{n} de las {total} frases de esta respuesta no están respaldadas por los pasajes que citan; compruébelas con las fuentes.",
        "fr": "{n} des {total} phrases de cette réponse ne sont pas étayées par les passages qu'elles citent ; vérifiez-les dans les sources.",
        "ru": "{n} из {total} предложений этого ответа не подтверждаются цитируемыми фрагментами; сверьте их с источниками.",
        "ar": "{n} من أصل {total} جمل في هذه الإجابة لا تدعمها المقاطع التي تستشهد بها؛ يُرجى التحقق منها في المصادر.",
    },
}


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
