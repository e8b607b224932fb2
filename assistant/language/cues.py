"""Grammatical cues the checks read, per language: closed word classes, not topics.

Who a question addresses (second-person pronouns, generic "you"), whether it asks for an
invention ("write me a poem") or to have a claim confirmed ("Aren't pastoralists…?"), the
wording of a ban, and a sentence that refers back to the one before it ("It is also…").
Each pattern lists the six UN languages; a new language adds its words here.
"""

from __future__ import annotations

import re

__all__ = [
    "ANAPHOR",
    "BAN_ASKED",
    "BAN_STATED",
    "CONFIRMATION",
    "GENERIC_YOU",
    "INVENT",
    "OPEN_QUESTION",
    "SECOND_PERSON",
    "asks_confirmation",
]

# Second-person pronouns that address the asker's interlocutor, per language (a closed
# grammatical class). Polite "vous"/"usted"/"вы" are left out: they also address readers in
# general ("si vous restaurez…"), as does English "you" after "how do/can/should".
SECOND_PERSON = re.compile(
    r"\b(?:you|your|yours|yourself)\b|你|您"
    r"|(?<!\w)(?:tú|ti|contigo|tus?|toi|ton|ta|tes)(?!\w)|(?<!\w)t['’](?=\w)"
    r"|(?<!\w)(?:ты|тебя|тебе|тобой|твой|твоя|твоё|твои|твоих)(?!\w)|(?<!\w)(?:أنت|انت|رأيك)(?!\w)"
    # The addressee's own view, in the polite forms too: "à votre avis", "selon vous", "en su
    # opinión", "по-вашему", "как вы думаете", "برأيك" (a closed set of phrases; a polite
    # "vous" alone may address readers in general).
    r"|\bà votre avis\b|\bselon vous\b|\ben (?:su|vuestra) opini[oó]n\b|(?<!\w)по-вашему(?!\w)"
    r"|(?<!\w)по вашему мнению(?!\w)|(?<!\w)как вы (?:думаете|считаете|полагаете)(?!\w)"
    r"|(?<!\w)(?:ب|في )رأيك(?:م)?(?!\w)",
    re.IGNORECASE,
)
# Generic or polite "you": "how do you restore…", "can you tell me…", "if you…".
GENERIC_YOU = re.compile(
    r"\b(?:how|what|where|when|why|which)\s+(?:do|can|should|would|could|might|must)\s+you\b"
    r"|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|show|explain|give|list|summari[sz]e|find|quote)\b"
    r"|\b(?:if|when|once|before|after|unless)\s+you\b|\byou\s+(?:need|have|want|must|should)\s+to\b"
    r"|请你|你能(?:告诉|说明|解释|列出)",
    re.IGNORECASE,
)


# A task of invention rather than finding, as an imperative opening a sentence: "write me
# a poem", "imagine…", "act as…" (an extractive assistant quotes; it does not invent).
INVENT = re.compile(
    r"(?:^|[.!?;:。！？]\s*|\b(?:and|also|then|now)\s+)(?:please\s+)?"
    r"(?:write|compose|invent|imagine|pretend|act as|role-?play)\b"
    r"|(?:^|[.!?;:¿¡]\s*|\b(?:y|e|et|puis)\s+)(?:escr[ií]be\w*|comp[oó]n\w*|inventa\w*|imagina\w*|act[uú]a como"
    r"|[ée]cri[st]\w*|invente[zr]?|imagine[zr]?|agis comme|fais comme si)\b"
    r"|^(?:напиши|сочини|придумай|представь|притворись)|(?:^|[。！？；])\s*(?:请你?)?(?:帮我|给我)?(?:写|编)一(?:首|篇|个)|^(?:请你?)?假装|^(?:اكتب|ألّف|تخيل)",
    re.IGNORECASE | re.MULTILINE,
)

# A question that asks to have a claim confirmed rather than asking what the sources say:
# a negative question ("Aren't pastoralists…?", "Les migrants ne font-ils pas…?", "¿No es
# cierto que…?", "Разве…", "难道…", "أليس…") or a tag ("…, isn't it?", "…, ¿verdad?").
# A quoting assistant cannot confirm or deny the asker's claim; it shows the passages.
# Negation inside an open question ("Why doesn't…", "What if we don't…") is not a cue.
CONFIRMATION = re.compile(
    r"(?:^|[.!?:;]\s+|\bbut\s+)(?:aren't|isn't|wasn't|weren't|don't|doesn't|didn't|won't"
    r"|wouldn't|shouldn't|can't|couldn't|haven't|hasn't)\b"
    r"|\bis it not (?:true|the case)\b|,\s*(?:isn't|aren't|don't|doesn't|didn't|wasn't)\s+\w+\s*\?|,\s*right\s*\?"
    r"|\bn['’]est-(?:ce|il|elle) pas\b|\bne\s+(?:[\w'’]+\s+){0,2}?[\w'’]+-(?:t-)?(?:ils|elles|il|elle|on)\s+pas\b"
    r"|¿\s*no\s|\bno es (?:cierto|verdad) que\b|,\s*¿?\s*(?:verdad|no)\s*\?"
    r"|(?<!\w)разве(?!\w)|(?:^|[.!?:]\s*|—\s*)не\s+\w+\s+ли(?!\w)|(?<!\w)не так ли(?!\w)"
    r"|难道|不是[^？?。！!]{0,40}吗|不就是|对吧[？?]"
    r"|(?<!\w)(?:أليس|أليست|أليسوا|ألا يعني)(?!\w)",
    re.IGNORECASE | re.MULTILINE,
)

# Interrogative words opening an open question: "Pourquoi la décision ne mentionne-t-elle
# pas…?" asks why, it does not ask to confirm. (Not "qui"/"who" as a relative pronoun:
# "Les migrants qui s'installent… ne font-ils pas…?" still asks to confirm.)
OPEN_QUESTION = re.compile(
    r"\b(?:why|how|what|which|when|where|who|pourquoi|comment|quand|où|combien|quel\w*|que|qu['’]"
    r"|por qué|cómo|cuándo|dónde|qué|cuál\w*|quién\w*)\b"
    r"|(?<!\w)(?:почему|как|когда|где|что|какой|какая|какие|зачем)(?!\w)|为什么|怎么|如何|什么|哪"
    r"|(?<!\w)(?:لماذا|كيف|متى|أين|ما|ماذا)(?!\w)",
    re.IGNORECASE,
)


def asks_confirmation(question: str) -> bool:
    """Whether ``question`` asks to have a claim confirmed (see :data:`CONFIRMATION`)."""
    for match in CONFIRMATION.finditer(question):
        opening = re.split(r"[.!?¿¡。！？]", question[: match.start()])[-1]
        ending = re.search(r"[.!?。！？؟]", question[match.end() - 1 :])
        asked = ending is None or ending.group(0) in "?？؟"
        if asked and not OPEN_QUESTION.search(opening):
            return True
    return False


# A question that presupposes a ban, and the wording of one in a passage.
BAN_ASKED = re.compile(
    r"\b(?:bans?|banned|prohibit\w*|forbid\w*|outlaw\w*)\b|interdi[ts]\w*|proh[ií]b\w*|禁止|严禁"
    r"|запрещ\w*|запрет\w*|يحظر|حظر|يمنع|تحظر",
    re.IGNORECASE,
)
BAN_STATED = re.compile(
    BAN_ASKED.pattern + r"|\b(?:shall|must|may) not\b|\bno longer allowed\b|不得|不准|ne doit pas|no (?:debe|podrá)"
    r"|не (?:должн|допуска)\w*|لا يجوز",
    re.IGNORECASE,
)

# A sentence that opens with a pronoun or demonstrative refers back to the one before it
# ("It is also home to the Udege people", "Ces mesures…", "该计划…"): quoted alone it
# leaves the reader asking what "it" is, and after a quoted sentence it is part of what
# that sentence says. Personal and possessive pronouns and demonstratives, per language.
ANAPHOR = re.compile(
    r"^[\s\"“«(]*(?:"
    r"(?:it|its|they|their|these|this|those|such|he|she|his|her)\b"
    r"|(?:il|elle|ils|elles|ce|cet|cette|ces|celui|celle|ceux|celles|son|sa|ses|leur|leurs)\b"
    r"|(?:este|esta|estos|estas|esto|ese|esa|esos|esas|eso|ello|ellos|ellas|él|ella|su|sus|dicho|dicha|dichos|dichas)\b"
    r"|(?:он|она|оно|они|его|её|ее|их|это|этот|эта|эти|этих|такой|такая|такие)(?!\w)"
    r"|(?:它们|它|他们|她们|其|这些|这个|这|该|此)"
    r"|(?:هو|هي|هم|هذا|هذه|هؤلاء|ذلك|تلك|وهو|وهي|وهذا|وهذه)(?!\w)"
    r")",
    re.IGNORECASE,
)
