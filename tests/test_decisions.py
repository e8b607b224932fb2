"""The decision parser on the real XI/16 texts and on a synthetic English decision."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.records import LoadedDocument, Section
from ingest.decisions import find_decision_heading, join_lines, parse_decision
from ingest.loaders import load_document

ROOT = Path(__file__).parents[1]
ZH_FILE = ROOT / "corpus" / "decisions" / "cbd-dec-xi-16-zh.md"
EN_FILE = ROOT / "corpus" / "decisions" / "cbd-dec-xi-16-en.md"
SEED_FILE = ROOT.parent / "shared" / "seed" / "decision-XI-16-ecosystem-restoration.zh.txt"

EXPECTED_PARAGRAPHS = (
    [f"pp{i}" for i in range(1, 7)]
    + ["1"]
    + [f"1({c})" for c in "abcdefghi"]
    + ["2"]
    + [f"2({c})" for c in "abcdefghi"]
    + ["3", "4", "4(a)", "4(b)", "5"]
    + [f"5({c})" for c in "abcdefghij"]
)


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def zh() -> LoadedDocument:
    return load_document(ZH_FILE)


@pytest.fixture(scope="module")
def en() -> LoadedDocument:
    return load_document(EN_FILE)


def _by_paragraph(document: LoadedDocument) -> dict[str, Section]:
    return {s.paragraph: s for s in document.sections}


# --- the Chinese original ---------------------------------------------------------------


def test_zh_finds_all_41_paragraphs_in_order(zh: LoadedDocument) -> None:
    assert len(EXPECTED_PARAGRAPHS) == 41
    assert [s.paragraph for s in zh.sections] == EXPECTED_PARAGRAPHS


def test_zh_metadata_from_front_matter(zh: LoadedDocument) -> None:
    assert zh.meta.doc_id == "cbd-dec-xi-16-zh"
    assert zh.meta.kind == "decision"
    assert zh.meta.language == "zh"
    assert zh.meta.symbol == "XI/16"
    assert zh.meta.year == 2012


def test_zh_locators(zh: LoadedDocument) -> None:
    paragraphs = _by_paragraph(zh)
    assert paragraphs["1(b)"].locator == "para. 1(b)"
    assert paragraphs["5"].locator == "para. 5"
    assert paragraphs["pp2"].locator == "preambular para. 2"


def test_zh_lines_joined_without_spaces_between_chinese(zh: LoadedDocument) -> None:
    text = _by_paragraph(zh)["1(b)"].text
    assert text.startswith("(b) 查明")
    assert "根本原因和直接原因" in text
    assert "预防或减少" in text
    # "并利用" ends one line of the seed and "获得的知识" starts the next one.
    assert "并利用获得的知识" in text
    assert "\n" not in text


def test_zh_wrapped_line_starting_with_2020_stays_in_pp6(zh: LoadedDocument) -> None:
    pp6 = _by_paragraph(zh)["pp6"].text
    assert pp6.startswith("强调")
    assert "到2020 年提供了全面框架" in pp6


def test_zh_text_kept_verbatim(zh: LoadedDocument) -> None:
    paragraphs = _by_paragraph(zh)
    assert "《20112020 年生物多样性战略计划》" in paragraphs["pp2"].text
    assert paragraphs["3"].text.startswith("3. [认识到")
    assert paragraphs["3"].text.endswith("；]")
    assert paragraphs["5(j)"].text.endswith("进展情况。")


def test_zh_every_character_of_the_body_is_in_the_sections_in_order(zh: LoadedDocument) -> None:
    raw = ZH_FILE.read_text(encoding="utf-8")
    start = raw.index("缔约方大会，") + len("缔约方大会，")
    end = raw.index("- - - - -")
    body = _no_space(raw[start:end])
    assert _no_space("".join(s.text for s in zh.sections)) == body


@pytest.mark.skipif(not SEED_FILE.is_file(), reason="shared seed not present")
def test_corpus_file_body_matches_the_seed(zh: LoadedDocument) -> None:
    seed = SEED_FILE.read_text(encoding="utf-8")
    start = seed.index("缔约方大会，") + len("缔约方大会，")
    end = seed.index("- - - - -")
    assert _no_space("".join(s.text for s in zh.sections)) == _no_space(seed[start:end])


def test_zh_subparagraph_context_is_the_chapeau(zh: LoadedDocument) -> None:
    paragraphs = _by_paragraph(zh)
    assert paragraphs["1(b)"].context.startswith("1. 敦促")
    assert paragraphs["1(b)"].context == paragraphs["1"].text
    assert paragraphs["5(j)"].context.startswith("5. 请")
    assert paragraphs["4(a)"].context.startswith("4. 敦促")
    # Preambular and numbered paragraphs need no context.
    assert paragraphs["pp1"].context == ""
    assert paragraphs["1"].context == ""


def test_zh_raw_seed_parses_the_same(zh: LoadedDocument) -> None:
    body = ZH_FILE.read_text(encoding="utf-8").split("---\n", 2)[2]
    sections = parse_decision(body)
    assert [s.paragraph for s in sections] == EXPECTED_PARAGRAPHS
    assert [s.text for s in sections] == [s.text for s in zh.sections]


# --- the English translation ------------------------------------------------------------


def test_en_has_the_same_paragraph_ids_in_order(en: LoadedDocument, zh: LoadedDocument) -> None:
    assert [s.paragraph for s in en.sections] == EXPECTED_PARAGRAPHS
    assert [s.paragraph for s in en.sections] == [s.paragraph for s in zh.sections]


def test_en_metadata_and_content(en: LoadedDocument) -> None:
    assert en.meta.doc_id == "cbd-dec-xi-16-en"
    assert en.meta.translation_of == "cbd-dec-xi-16-zh"
    assert en.meta.language == "en"
    paragraphs = _by_paragraph(en)
    assert "underlying" in paragraphs["1(b)"].text
    assert paragraphs["1(b)"].context.startswith("1. Urges")
    assert paragraphs["pp1"].text.startswith("Noting")


def test_en_text_before_the_chapeau_is_not_a_paragraph(en: LoadedDocument) -> None:
    assert not any("Unofficial translation" in s.text for s in en.sections)
    assert not any("XI/16. Ecosystem restoration" in s.text for s in en.sections)


# --- a synthetic decision ---------------------------------------------------------------

SYNTHETIC = """\
Decision adopted by a test meeting

XI/99. Test

The Conference of the Parties,

Noting that degraded land
covers a large share of the
planet,

Recognizing the role of
indigenous peoples and local communities
in restoration,

1. Urges Parties to:

(a) Restore degraded land by the end of the decade; the year
2020 was the first deadline, and
the work continues;

(b) Report on progress;

(c) Share knowledge;

(d) Monitor results;

(e) Engage communities;

(f) Mobilize resources;

(g) Protect remaining habitat;

(h) Link restoration to livelihoods,
(i) the poor in particular;

2. Requests the Executive Secretary to report.

- - - - -

Annex text that is not part of the decision.
"""


def test_synthetic_heading() -> None:
    heading = find_decision_heading(SYNTHETIC)
    assert heading is not None
    assert heading.symbol == "XI/99"
    assert heading.title == "Test"


def test_find_decision_heading_none_for_plain_text() -> None:
    assert find_decision_heading("Just a guidance note.\n\nNothing to see.") is None


def test_synthetic_paragraphs() -> None:
    sections = parse_decision(SYNTHETIC)
    assert [s.paragraph for s in sections] == (
        ["pp1", "pp2", "1"] + [f"1({c})" for c in "abcdefghi"] + ["2"]
    )


def test_synthetic_wrapped_preamble_is_joined_with_spaces() -> None:
    paragraphs = {s.paragraph: s for s in parse_decision(SYNTHETIC)}
    assert paragraphs["pp1"].text == "Noting that degraded land covers a large share of the planet,"
    assert paragraphs["pp2"].text == (
        "Recognizing the role of indigenous peoples and local communities in restoration,"
    )


def test_synthetic_line_starting_with_a_year_does_not_start_a_paragraph() -> None:
    paragraphs = {s.paragraph: s for s in parse_decision(SYNTHETIC)}
    assert "2020" not in paragraphs
    assert paragraphs["1(a)"].text == (
        "(a) Restore degraded land by the end of the decade; the year "
        "2020 was the first deadline, and the work continues;"
    )
    assert paragraphs["2"].text == "2. Requests the Executive Secretary to report."


def test_synthetic_i_after_h_is_subparagraph_i() -> None:
    paragraphs = {s.paragraph: s for s in parse_decision(SYNTHETIC)}
    assert paragraphs["1(i)"].text == "(i) the poor in particular;"
    assert paragraphs["1(i)"].context == "1. Urges Parties to:"
    assert paragraphs["1(h)"].text == "(h) Link restoration to livelihoods,"


def test_synthetic_stops_at_the_end_marker() -> None:
    assert not any("Annex" in s.text for s in parse_decision(SYNTHETIC))


def test_i_without_h_is_not_a_subparagraph() -> None:
    text = (
        "XI/98. Roman\n\nThe Conference of the Parties,\n\n"
        "1. Urges Parties to act on\n(i) this line;\n"
    )
    sections = parse_decision(text)
    assert [s.paragraph for s in sections] == ["1"]
    assert sections[0].text == "1. Urges Parties to act on (i) this line;"


def test_out_of_sequence_number_continues_the_paragraph() -> None:
    text = (
        "XI/97. Numbers\n\nThe Conference of the Parties,\n\n"
        "1. Notes that\n15. of the targets were missed;\n2. Decides to act.\n"
    )
    sections = parse_decision(text)
    assert [s.paragraph for s in sections] == ["1", "2"]
    assert sections[0].text == "1. Notes that 15. of the targets were missed;"


def test_join_lines() -> None:
    joined = join_lines(["生态系统恢复将在实现", "  用，包括保护", ""])
    assert joined == "生态系统恢复将在实现用，包括保护"
    assert join_lines(["Noting that", "  the land"]) == "Noting that the land"
    assert join_lines(["目标", "14 和 15"]) == "目标14 和 15"
