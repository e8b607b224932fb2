"""Presence of a word in passages: as written, stemmed, as an acronym, open compound, misspelt."""

from __future__ import annotations

import pytest

from assistant.answering.presence import Evidence, corpus_evidence, script_of


@pytest.mark.parametrize(
    ("texts", "language", "term", "ratio", "present"),
    [
        (["Peatlands store carbon."], "en", "peatland", 1.0, True),  # stem
        (["Se replantaron los manglares."], "es", "replantó", 1.0, True),  # Spanish stem
        (["La CDB adopta el marco."], "es", "CBD", 1.0, True),  # acronym reordered
        (["Indigenous peoples and local communities lead."], "en", "IPLC", 1.0, True),
        (["Trees shade crops in a heat wave."], "en", "heatwave", 1.0, True),  # written open
        (["Mangrove restoration in Casamance."], "en", "Casamanse", 0.8, True),  # a typo
        (["Mangrove restoration in Casamance."], "en", "Casamanse", 1.0, False),
        (["Mangrove restoration in Casamance."], "en", "glyphosate", 0.8, False),
        (["库布其沙漠的治理"], "zh", "库布其", 1.0, True),
        # A dotted name only as written: "plan" is no "se.plan".
        (["Spatial planning at landscape scale; a plan for each site."], "en", "se.plan", 0.8, False),
        (["se.plan divides the Earth's surface into grid cells."], "en", "se.plan", 1.0, True),
    ],
)
def test_contains(texts: list[str], language: str, term: str, ratio: float, present: bool) -> None:
    assert Evidence(texts, language).contains(term, ratio) is present


def test_a_term_is_checkable_only_against_passages_of_its_script() -> None:
    latin = Evidence(["Restoration of drylands."])
    assert latin.checkable("glyphosate") and not latin.checkable("草甘膦")
    assert (script_of("草甘膦"), script_of("Кубань"), script_of("glyphosate")) == (
        "zh",
        "ru",
        "latin",
    )


class _Lexical:
    def __init__(self, texts: list[str]) -> None:
        self.texts = texts


def test_corpus_evidence_is_built_once_per_lexical_index() -> None:
    first, second = _Lexical(["Wetlands and peat."]), _Lexical(["Drylands."])
    corpus = corpus_evidence(first)
    assert corpus_evidence(first) is corpus and corpus.contains("wetland", 1.0)
    assert corpus_evidence(second) is not corpus
    assert not corpus_evidence(second).contains("wetland", 1.0)


def test_a_dotted_name_is_one_word_and_an_abbreviation_is_not() -> None:
    from assistant.answering.presence import WORD

    assert WORD.findall("Grid cells in se.plan, e.g. at www.fao.org") == [
        "Grid", "cells", "in", "se.plan", "e", "g", "at", "www.fao.org",
    ]
