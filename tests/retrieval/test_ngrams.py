"""Character n-grams (assistant/retrieval/ngrams.py): cognates and typos across Latin-script languages."""

from __future__ import annotations

from typing import Any

from assistant.retrieval.ngrams import NgramIndex, ngram_grams


def test_grams_fold_accents_and_mark_word_edges() -> None:
    assert ngram_grams("Régénération") == ngram_grams("regeneration")
    assert ngram_grams("indicador")[:3] == ["_ind", "indi", "ndic"]
    assert ngram_grams("indicador")[-1] == "dor_"


def test_only_content_words_of_the_question_are_cut() -> None:
    # "para" and "dans" are among the commonest words of their languages: their pieces
    # would match "paragraph" and "abundance".
    assert ngram_grams("para", "es") == [] and ngram_grams("dans", "fr") == []
    assert ngram_grams("desagregaciones", "es")
    assert ngram_grams("Восстановление торфяников", "ru") == []  # no cognates by letters


def test_a_question_meets_its_cognates_and_misspellings() -> None:
    index = NgramIndex([
        "Disaggregations of the indicator on area under restoration, by ecosystem type.",
        "Funding for capacity-building workshops in the region.",
        "La restauración no puede sustituir a la conservación.",
    ])
    assert index.search("¿Qué desagregaciones propone el indicador?", "es", 3)[0].index == 0
    assert index.search("la restauracion puede sustituir la conservacion??", "es", 3)[0].index == 2
    assert index.search("¿Qué es?", "es", 3) == []  # no content word: no ranking


def test_a_spanish_question_is_ranked_by_ngrams_over_the_real_corpus(corpus_assistant: Any) -> None:
    # The bundled corpus is mostly English: a Spanish question typed without accents gets
    # the n-gram ranking too; an English one does not (its words are the corpus's own).
    spanish = corpus_assistant.retriever.search("cuantos arboles regeneraron los agricultores en Niger con la regeneracion natural")
    assert any("ngram" in s.ranks for s in spanish.sources)
    assert spanish.sources[0].doc_id == "case-fmnr-niger"
    english = corpus_assistant.retriever.search("How many trees did farmers regenerate in Niger?")
    assert not any("ngram" in s.ranks for s in english.sources)
    answer = corpus_assistant.ask("cuantos arboles regeneraron los agricultores en Niger con la regeneracion natural")
    assert answer.supported and answer.language == "es"
    assert "200 million trees" in answer.text
