"""The decision parser on the real XI/16 texts and on a synthetic English decision."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.core.records import LoadedDocument, Section
from ingest.decisions import (
    decision_info,
    find_decision_heading,
    join_lines,
    looks_like_decision,
    parse_annexes,
    parse_decision,
)
from ingest.formats.pdf_layout import Block
from ingest.loaders import load_document
from ingest.tables import split_table

ROOT = Path(__file__).parents[2]
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


# --- decisions of every style -----------------------------------------------------------
# Short texts in the layout of each convention's decisions, written for these tests.


CBD_NUMBERED = """\
CBD/COP/DEC/15/4
19 December 2022
Conference of the Parties to the Convention on Biological Diversity
Fifteenth meeting - Part II
Montreal, Canada, 7-19 December 2022
Agenda item 9A
Decision adopted by the Conference of the Parties on 19 December 2022
15/4. Kunming-Montreal Global Biodiversity Framework
The Conference of the Parties,
Recalling decision 14/34 of 29 November 2018,
Noting the work of the Open-ended Working Group,
1. Adopts the Kunming-Montreal Global Biodiversity Framework;
2. Urges Parties to:
(a) Restore degraded ecosystems;
(b) Report on progress;
3. Requests the Executive Secretary to report.
Annex
Kunming-Montreal Global Biodiversity Framework
"""

RAMSAR = """\
13th Meeting of the Conference of the Contracting Parties to the Ramsar Convention on Wetlands
Dubai, United Arab Emirates, 21-29 October 2018
Resolution XIII.13
Restoration of degraded peatlands to mitigate and adapt to climate change
1. RECALLING Resolution XII.11 on peatlands, climate change and wise use;
2. AWARE that peatlands store a large share of soil carbon
and that drained peatlands emit it;
THE CONFERENCE OF THE CONTRACTING PARTIES
3. ENCOURAGES Contracting Parties to restore degraded peatlands;
4. REQUESTS the Scientific and Technical Review Panel to:
(a) review methods; and
(b) report to the next meeting.
"""

UNCCD = """\
ICCD/COP(15)/23/Add.1
Decision 3/COP.15
Enhancing land restoration and the achievement of land degradation neutrality
The Conference of the Parties,
Recalling decision 7/COP.13,
Welcoming the second edition of the Global Land Outlook,
1. Invites Parties to set voluntary land degradation neutrality targets;
2. Requests the secretariat to support Parties.
"""


@pytest.mark.parametrize(
    ("text", "symbol", "title"),
    [
        (
            "XI/16. Ecosystem restoration\nThe Conference of the Parties,\n1. Urges.",
            "XI/16",
            "Ecosystem restoration",
        ),
        (
            "14/30. Cooperation with other conventions\nThe Conference of the Parties,\n",
            "14/30",
            "Cooperation with other conventions",
        ),
        (CBD_NUMBERED, "15/4", "Kunming-Montreal Global Biodiversity Framework"),
        (
            RAMSAR,
            "XIII.13",
            "Restoration of degraded peatlands to mitigate and adapt to climate change",
        ),
        (
            UNCCD,
            "3/COP.15",
            "Enhancing land restoration and the achievement of land degradation neutrality",
        ),
    ],
)
def test_decision_heading_of_every_style(text: str, symbol: str, title: str) -> None:
    heading = find_decision_heading(text)
    assert heading is not None
    assert (heading.symbol, heading.title) == (symbol, title)
    assert looks_like_decision(text)


def test_numbered_cbd_decision_paragraphs_stop_at_the_annex() -> None:
    sections = parse_decision(CBD_NUMBERED)
    assert [s.paragraph for s in sections] == ["pp1", "pp2", "1", "2", "2(a)", "2(b)", "3"]
    assert sections[-1].text == "3. Requests the Executive Secretary to report."
    assert sections[4].context == "2. Urges Parties to:"


def test_cbd_decision_info_from_its_first_page() -> None:
    info = decision_info(CBD_NUMBERED)
    assert info is not None
    assert info.symbol == "15/4"
    assert info.document == "CBD/COP/DEC/15/4"
    assert info.meeting == "Fifteenth meeting - Part II"
    assert (info.place, info.dates) == ("Montreal, Canada", "7-19 December 2022")
    assert info.adopted == "19 December 2022"
    assert info.year == 2022


def test_ramsar_numbered_preamble_then_operative_numbering_continues() -> None:
    sections = parse_decision(RAMSAR)
    assert [s.paragraph for s in sections] == ["pp1", "pp2", "3", "4", "4(a)", "4(b)"]
    by_id = {s.paragraph: s for s in sections}
    assert by_id["pp2"].text == (
        "2. AWARE that peatlands store a large share of soil carbon and that drained peatlands emit it;"
    )
    assert by_id["pp1"].locator == "preambular para. 1"
    assert by_id["3"].locator == "para. 3"
    assert by_id["4(b)"].context.startswith("4. REQUESTS")
    info = decision_info(RAMSAR)
    assert info is not None and info.place == "Dubai, United Arab Emirates"
    assert info.dates == "21-29 October 2018" and info.year == 2018


def test_unccd_decision() -> None:
    sections = parse_decision(UNCCD)
    assert [s.paragraph for s in sections] == ["pp1", "pp2", "1", "2"]
    assert sections[0].text == "Recalling decision 7/COP.13,"
    info = decision_info(UNCCD)
    assert info is not None and info.document == "ICCD/COP(15)/23/Add.1"


def test_pages_put_in_locators() -> None:
    text = "16/31. Monitoring\nThe Conference of the Parties,\nNoting the work,\n1. Endorses the updates;\n2. Requests"
    sections = parse_decision(text, pages=[1, 1, 1, 2, 3])
    assert [(s.paragraph, s.locator, s.page) for s in sections] == [
        ("pp1", "preambular para. 1 (p. 1)", 1),
        ("1", "para. 1 (p. 2)", 2),
        ("2", "para. 2 (p. 3)", 3),
    ]


def test_annexes_paragraphs_and_tables_with_their_own_locators() -> None:
    header = "| Target | Indicator |\n|---|---|"
    blocks = [
        Block("heading", "Annex I Technical updates", 6, 2),
        Block("table", f"{header}\n| 2 | 2.1 Area under restoration |", 6),
        Block("table", f"{header}\n| 3 | 3.1 Coverage of protected areas |", 7),
        Block("heading", "Annex II", 9, 2),
        Block("heading", "Guidance", 9, 2),
        Block("text", "1. Parties may report on restoration.", 9),
        Block("text", "(a) by ecosystem;", 9),
        Block("table", "| A | B |\n|---|---|\n| x | y |", 10),
    ]
    sections = parse_annexes(blocks)
    assert [s.locator for s in sections] == [
        "annex I, table 1, Target 2 (p. 6)",  # the row numbered under "Target"
        "annex I, table 1, Target 3 (p. 7)",  # the same table continued on the next page
        "annex II, para. 1 (p. 9)",
        "annex II, para. 1(a) (p. 9)",
        "annex II, table 1 (p. 10)",
    ]
    assert sections[0].context == "Annex I: Technical updates"
    assert sections[2].context == "Annex II: Guidance"


def test_split_table_repeats_the_header() -> None:
    rows = "\n".join(f"| {n} | indicator number {n} with a long name |" for n in range(40))
    pieces = split_table(f"| Target | Indicator |\n|---|---|\n{rows}", limit=300)
    assert len(pieces) > 3
    assert all(p.startswith("| Target | Indicator |\n|---|---|\n| ") for p in pieces)
    assert all(len(p) <= 300 for p in pieces)
    body = [line for p in pieces for line in p.splitlines()[2:]]
    assert body == rows.splitlines()
