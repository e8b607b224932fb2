"""English glosses of a Chinese question's words (CC-CEDICT), and the senses a corpus uses."""

from assistant.language.glosses import english_glosses, gloss_dictionary
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.question import analyse


def test_the_dictionary_ships_with_the_package_and_reads_both_scripts() -> None:
    dictionary = gloss_dictionary()
    assert len(dictionary) > 100_000
    assert "peat" in dictionary["泥炭"]
    assert dictionary["生態系統"] == dictionary["生态系统"]  # traditional and simplified headwords
    # Classifiers, cross-references and notes in brackets are no senses.
    assert not any(sense.startswith(("CL:", "variant of")) for senses in dictionary.values() for sense in senses[:3])


def test_a_questions_rare_words_are_glossed_its_common_ones_not() -> None:
    glossed = dict(english_glosses("退化的泥炭地应该怎样恢复？"))
    assert "peat" in glossed["泥炭"]
    assert "restore" in glossed["恢复"]
    assert not {"的", "应该", "地"} & set(glossed)  # too common to say anything
    assert english_glosses("What is the recovery wheel?") == []
    # A word the dictionary lacks is glossed by its parts.
    assert "standard" in dict(english_glosses("SER国际标准"))["国际标准"]


def test_the_corpus_decides_which_senses_are_searched() -> None:
    index = LexicalIndex.build(
        [
            ("a", "Peatland restoration: rewetting restores degraded peat.", {"language": "en", "doc_id": "a"}),
            ("b", "Restoration of mangroves restores the coast.", {"language": "en", "doc_id": "b"}),
            ("c", "Forests recover after restoration.", {"language": "en", "doc_id": "c"}),
        ]
    )
    question = analyse("泥炭地怎样恢复？", index, "zh", gloss_senses=1)
    # One sense a word, the one most chunks use: "restore" (all three), not "reinstate" (none).
    assert question.glosses == (("泥炭", ("peat",)), ("恢复", ("restor",)))
    assert {"peat", "restor"} <= set(question.terms)
    assert analyse("泥炭地怎样恢复？", index, "zh", gloss_senses=0).glosses == ()
    # A corpus in Chinese itself needs no glosses; nor does a question in another language.
    assert analyse("How is peat restored?", index, "en", gloss_senses=2).glosses == ()
