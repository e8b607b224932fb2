"""The documents a question names by a word of their title."""

from assistant.language.titles import named_documents, title_names

TITLES = {
    "peat-scotland": "Peatland ACTION, Scotland, United Kingdom",
    "peat-indonesia": "Peatland restoration in Indonesia (BRG)",
    "ser": "SER International Principles and Standards for the Practice of Ecological Restoration",
    "terms": "Restoration terminology: how CBD, SER, IPBES and related guidance use key terms",
    "xii19": "CBD decision XII/19: Ecosystem conservation and restoration",
    "xiii5": "CBD decision XIII/5: Short-term action plan on ecosystem restoration",
}


def test_a_name_is_a_capitalised_word_inside_a_sentence_or_an_acronym() -> None:
    assert title_names("How many tonnes does Peatland ACTION save?") == ["Peatland", "ACTION"]
    assert title_names("What does the plan say? Which targets…") == []  # sentence openers
    assert title_names("SER standards: the recovery wheel") == ["SER"]  # an acronym opening it
    # In a question in another script the Latin word stands alone.
    assert title_names("SER国际标准 恢复轮 六个生态系统属性分别是什么") == ["SER"]


def test_a_name_in_the_titles_of_one_or_two_documents_names_them() -> None:
    assert named_documents("How much CO2 does Peatland ACTION save?", TITLES) == {"peat-scotland", "peat-indonesia"}
    assert named_documents("What is the recovery wheel of the SER standards?", TITLES) == {"ser", "terms"}
    # "CBD" is in three titles: it names no one document.
    assert named_documents("What did the CBD decide?", TITLES) == set()
