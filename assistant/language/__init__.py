"""Everything that depends on the language of a text, in one place.

Everything that depends on the language of a text, in one place: detection, the
scripts (CJK, Arabic, Cyrillic) and their patterns, sentence splitting, what the assistant
says in its own words in the six UN languages, refusal notices, place names, names
written in Cyrillic and the recognition of planted instructions. Adding a language starts here.
"""

__all__ = [
    "answer_types", "cues", "detect", "injection", "llm_messages", "messages", "names", "notices", "numbers", "places",
    "references", "scripts", "sentences", "titles",
]
