"""Checks of a question's premises (before answering) and of the answer (after).

An extractive answer quotes the closest sentences; it cannot notice that the question
asks for something the corpus does not hold, and quoting the nearest text then misleads.
Three checks catch the common cases cheaply:

- a request addressed to the assistant itself ("ignore your instructions…"), not a
  question about restoration;
- a paragraph the named decision does not have ("paragraph 6 of XI/16");
- an amount of a kind (hectares, money, a percentage), or a prohibition, that no
  retrieved passage states (of the named decision, when the question names one).

After composing, an answer to "how many hectares…" that states no area is refused too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assistant.answer_types import asked_figure, states_figure
from assistant.injection import INSTRUCTION
from assistant.records import Source
from assistant.retrieval import named_paragraphs, named_symbols

__all__ = ["Problem", "check_answer", "check_premises"]


@dataclass(frozen=True)
class Problem:
    """Why a question is refused: a code for the trace, a notice for people."""

    reason: str
    notice: str


# A question that presupposes a ban, and the wording of one in a passage.
_BAN_ASKED = re.compile(
    r"\b(?:bans?|banned|prohibit\w*|forbid\w*|outlaw\w*)\b|interdi[ts]\w*|proh[ií]b\w*|禁止|严禁",
    re.IGNORECASE,
)
_BAN_STATED = re.compile(
    _BAN_ASKED.pattern + r"|\b(?:shall|must|may) not\b|\bno longer allowed\b|不得|不准|ne doit pas|no (?:debe|podrá)",
    re.IGNORECASE,
)

_NOTICES: dict[str, dict[str, str]] = {
    "instruction": {
        "en": "This assistant answers questions from its documents; it does not take instructions about itself.",
        "zh": "本助手只根据文献回答问题，不执行关于自身的指令。",
        "es": "Este asistente responde preguntas a partir de sus documentos; no acepta instrucciones sobre sí mismo.",
        "fr": "Cet assistant répond aux questions à partir de ses documents ; il n'accepte pas d'instructions sur lui-même.",
    },
    "paragraph": {
        "en": "Decision {symbol} has no paragraph {paragraph}.",
        "zh": "第{symbol}号决定没有第{paragraph}段。",
        "es": "La decisión {symbol} no tiene párrafo {paragraph}.",
        "fr": "La décision {symbol} n'a pas de paragraphe {paragraph}.",
    },
    "ban": {
        "en": "None of the closest passages states a prohibition of this kind.",
        "zh": "最接近的段落都没有规定这类禁止。",
        "es": "Ninguno de los pasajes más cercanos establece una prohibición de este tipo.",
        "fr": "Aucun des passages les plus proches n'énonce une interdiction de ce type.",
    },
    "figure": {
        "en": "None of the closest passages states an amount of this kind.",
        "zh": "最接近的段落都没有给出这类数值。",
        "es": "Ninguno de los pasajes más cercanos indica una cantidad de este tipo.",
        "fr": "Aucun des passages les plus proches n'indique une valeur de ce type.",
    },
    # A passage states an amount of the kind, but not of what was asked.
    "answer-figure": {
        "en": "The closest passages state no amount of this kind for what was asked.",
        "zh": "最接近的段落中与所问内容相关的部分没有给出这类数值。",
        "es": "Los pasajes más cercanos no indican una cantidad de este tipo para lo que se pregunta.",
        "fr": "Les passages les plus proches n'indiquent pas de valeur de ce type pour ce qui est demandé.",
    },
}


def check_premises(
    question: str,
    language: str,
    sources: Sequence[Source],
    decisions: Mapping[str, set[str]],
) -> Problem | None:
    """Return why the question cannot be answered from ``sources``, or ``None``.

    ``decisions`` maps each decision symbol whose text is indexed to its paragraphs.
    """
    if INSTRUCTION.search(question):
        return Problem("instruction", _notice("instruction", language))
    named = named_symbols(question) & set(decisions)
    wanted = named_paragraphs(question)
    for symbol in sorted(named):
        if wanted and not wanted & decisions[symbol]:
            paragraph = sorted(wanted)[0]
            return Problem("no-such-paragraph", _notice("paragraph", language, symbol=symbol, paragraph=paragraph))
    if not sources:
        return None
    # "How many hectares does XI/16 require…" asks what XI/16 says, not any passage.
    about = [s for s in sources if str(s.metadata.get("symbol", "")).upper() in named] if named else sources
    kind = asked_figure(question)
    if kind and not any(states_figure(s.text, kind) for s in about):
        return Problem(f"no-{kind}-figure", _notice("figure", language))
    if _BAN_ASKED.search(question) and not any(_BAN_STATED.search(s.text) for s in about):
        return Problem("no-such-prohibition", _notice("ban", language))
    return None


def check_answer(question: str, language: str, answer: str) -> Problem | None:
    """Return why a composed answer does not answer the question, or ``None``.

    A passage may state an area while the sentences chosen speak of something else: an
    answer to "how many hectares…" without any area in it is no answer.
    """
    kind = asked_figure(question)
    if kind and not states_figure(answer, kind):
        return Problem(f"no-{kind}-figure-in-answer", _notice("answer-figure", language))
    return None


def _notice(key: str, language: str, **values: str) -> str:
    texts = _NOTICES[key]
    return texts.get(language, texts["en"]).format(**values)
