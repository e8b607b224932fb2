"""Rendering for the app: every document text escaped, evidence marked, exports complete."""

from __future__ import annotations

import json
import re

import pytest

from assistant.core.errors import AssistantError
from assistant.core.records import Answer, Citation, Turn
from assistant.ui.chat import parse_filters, parse_history
from assistant.ui.render import (
    answer_markdown,
    citation_cards,
    highlight,
    render_answer,
    render_partial,
    render_question,
)

HOSTILE = (
    'Intro <script>window.__pwned = 1</script> then <img src=x onerror="window.__pwned=2">'
    " and [click](javascript:alert(1)) **bold** $$x$$."
)


def _citation(n: int = 1, text: str = HOSTILE, **extra: object) -> Citation:
    values: dict[str, object] = {
        "n": n,
        "chunk_id": f"c{n}",
        "doc_id": "evil-doc",
        "title": "<b>Evil</b> title",
        "kind": "guidance",
        "symbol": "",
        "locator": "Section <i>1</i>",
        "paragraph": "",
        "language": "en",
        "text": text,
        "relevance": 0.5,
        "supporting": (),
    }
    values.update(extra)
    return Citation(**values)  # type: ignore[arg-type]


def _no_live_markup(html: str) -> None:
    assert not re.search(r"<\s*(script|img|b|i)\b", html, re.IGNORECASE)
    assert "javascript:" not in html.replace("(javascript:alert(1))", "")
    assert "&lt;script&gt;" in html or "&lt;b&gt;" in html


def test_cards_escape_everything_from_the_document() -> None:
    answer = Answer(text="x [1]", supported=True, language="en", citations=(_citation(),))
    cards = citation_cards(answer)
    _no_live_markup(cards)
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in cards
    assert "[click](javascript:alert(1))" in cards  # shown literally, not as a link
    assert "<a " not in cards


def test_answer_bubble_escapes_quoted_markup_and_the_question() -> None:
    answer = Answer(
        text=f"{HOSTILE} [1]",
        supported=True,
        language="en",
        citations=(_citation(),),
        sentences=({"text": HOSTILE, "citations": [1], "supported": True},),
    )
    bubble = render_answer(answer)
    _no_live_markup(bubble)
    assert '<span class="ra-ref"' in bubble
    _no_live_markup(render_partial(f"{HOSTILE} [1]"))
    assert render_question("<img src=x onerror=alert(1)>") == (
        '<div class="ra-question">&lt;img src=x onerror=alert(1)&gt;</div>'
    )


def test_a_paragraph_quoted_whole_shows_each_part_with_its_own_marker() -> None:
    answer = Answer(
        text="Decision XI/16, para. 5 addresses this:\n> 5. Requests: [1]\n>\n> (a) To convene [2]",
        supported=True,
        language="en",
        citations=(_citation(1, text="5. Requests:"), _citation(2, text="(a) To convene")),
        sentences=(
            {"text": "Decision XI/16, para. 5 addresses this:", "citations": [], "supported": True, "frame": True},
            {"text": "5. Requests:", "citations": [1], "supported": True, "run": 0},
            {"text": "(a) To convene", "citations": [2], "supported": True, "run": 0},
        ),
    )
    quote = re.search(r'<blockquote class="ra-quote">(.*?)</blockquote>', render_answer(answer)).group(1)
    first, second = quote.split("<br>")
    assert first.startswith("5. Requests:") and "[1]" in first and "[2]" not in first
    assert second.startswith("(a) To convene") and "[2]" in second


def test_highlight_marks_supporting_sentences_even_when_spacing_differs() -> None:
    text = "First sentence here.  Restore   degraded\nland by 2030. Last one."
    marked = highlight(text, ["Restore degraded land by 2030."])
    assert "<mark>Restore   degraded\nland by 2030.</mark>" in marked
    assert highlight("a <b> c", ["<b>"]) == "a <mark>&lt;b&gt;</mark> c"
    assert highlight("nothing to see", ["absent sentence"]) == "nothing to see"


def test_chinese_supporting_sentence_is_highlighted() -> None:
    text = "(b) 查明并处理生态系统退化的根本原因和直接原因；"
    assert "<mark>" in highlight(text, ["(b) 查明并处理生态系统退化的根本原因和直接原因"])


def test_unsupported_llm_sentences_are_visibly_marked() -> None:
    answer = Answer(
        text="Parties should restore [1]. The moon is cheese [1].",
        supported=True,
        language="en",
        citations=(_citation(text="Parties should restore."),),
        sentences=(
            {"text": "Parties should restore [1].", "citations": [1], "supported": True},
            {"text": "The moon is cheese [1].", "citations": [1], "supported": False},
        ),
    )
    bubble = render_answer(answer)
    flagged = re.findall(r'<span class="ra-unsupported"[^>]*>(.*?)</span></span>', bubble)
    assert len(flagged) == 1 and "The moon is cheese" in flagged[0]
    assert "not supported by the passages" in bubble
    assert "Parties should restore" not in flagged[0]


def test_refusal_shows_possibly_related_passages_as_such() -> None:
    related = (_citation(1, "Close but not it."), _citation(2, "Also close."))
    answer = Answer(
        text="The corpus does not cover this question.",
        supported=False,
        language="en",
        citations=(),
        related=related,
    )
    cards = citation_cards(answer)
    assert "Possibly related" in cards and cards.count("ra-related") == 2
    assert cards.count("possibly related</span>") == 2
    bubble = render_answer(answer)
    assert "ra-refusal" in bubble and "Possibly related (not an answer)" in bubble


def test_decision_card_shows_symbol_paragraph_language_and_chapeau() -> None:
    citation = _citation(
        text="(b) 查明并处理生态系统退化的根本原因和直接原因；",
        kind="decision",
        symbol="XI/16",
        locator="para. 1(b)",
        paragraph="1(b)",
        language="zh",
        title="生态系统恢复",
        context="1. 敦促各缔约方：",
        supporting=("(b) 查明并处理生态系统退化的根本原因和直接原因",),
    )
    cards = citation_cards(
        Answer(text="… [1]", supported=True, language="zh", citations=(citation,))
    )
    assert ">Decision</span>" in cards and "decision XI/16 · para. 1(b)" in cards
    assert 'class="ra-badge ra-lang">zh<' in cards and "1. 敦促各缔约方：" in cards
    assert "<mark>" in cards


def test_a_ramsar_resolution_card_says_resolution() -> None:
    citation = _citation(kind="decision", symbol="XIII.13", locator="para. 5", paragraph="5")
    cards = citation_cards(Answer(text="… [1]", supported=True, language="en", citations=(citation,)))
    assert "resolution XIII.13 · para. 5" in cards and "decision XIII.13" not in cards


def test_markdown_export_has_answer_citations_and_trace() -> None:
    record = Answer(
        text="Parties should restore. [1]",
        supported=True,
        language="en",
        citations=(
            _citation(text="Parties should restore.", supporting=("Parties should restore.",)),
        ),
        sentences=({"text": "Parties should restore.", "citations": [1], "supported": True},),
        trace={
            "question": "What should Parties do?",
            "condensed_query": "parties",
            "filters": {"kind": ["guidance"]},
        },
    ).to_dict()
    text = answer_markdown(record)
    assert "## Question\n\nWhat should Parties do?" in text
    assert "## Answer\n\nParties should restore. [1]" in text
    assert "**[1] <b>Evil</b> title** — Guidance, Section <i>1</i>, en" in text
    assert "> Parties should restore." in text
    trace = json.loads(text.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert trace["condensed_query"] == "parties" and trace["filters"] == {"kind": ["guidance"]}


def test_parse_history_accepts_questions_turns_and_answer_records() -> None:
    record = {
        "answer": "…",
        "citations": [{"doc_id": "a"}, {"doc_id": "b"}, {"doc_id": "a"}],
        "trace": {"question": "First?", "condensed_query": "first"},
    }
    turns = parse_history(["Zero?", {"question": "Half?", "doc_ids": ["x"]}, record])
    assert turns == [
        Turn("Zero?"),
        Turn("Half?", ("x",), ""),
        Turn("First?", ("a", "b"), "first"),
    ]
    with pytest.raises(AssistantError, match="history items"):
        parse_history([42])


def test_parse_filters_refuses_unknown_keys() -> None:
    filters = parse_filters({"kind": ["decision"], "language": "zh", "year": ["2012"]})
    assert filters.active() == {"kind": ("decision",), "language": ("zh",), "year": (2012,)}
    with pytest.raises(AssistantError, match="unknown filter"):
        parse_filters({"colour": ["green"]})
