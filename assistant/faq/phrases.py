"""Key phrases of decision paragraphs, in English and Chinese, for FAQ questions.

A question about an operative sub-paragraph names its action in the paragraph's own
words ("identifying degraded ecosystems that have potential for ecosystem
restoration"); a chapeau gives the verb and addressee ("urge", "Parties"); a recital
gives its subject ("restoring ecosystems fully to their original state"). These are
heuristics over the drafting conventions of COP decisions, kept small and tested.
"""

from __future__ import annotations

import re

__all__ = [
    "action_phrase",
    "chapeau_parts",
    "lower_first",
    "preamble_parts",
    "zh_action_phrase",
    "zh_chapeau_parts",
    "zh_preamble_parts",
]

# Verbs that open a decision's operative paragraph: base form, past participle.
_EN_VERBS = {
    "urges": ("urge", "urged"),
    "invites": ("invite", "invited"),
    "requests": ("request", "requested"),
    "encourages": ("encourage", "encouraged"),
    "calls upon": ("call upon", "called upon"),
    "decides": ("decide", "decided"),
    "welcomes": ("welcome", "welcomed"),
    "recognizes": ("recognize", "recognized"),
    "notes": ("note", "noted"),
}
_EN_PREAMBLE_VERBS = {
    "noting": "note",
    "recognizing": "recognize",
    "emphasizing": "emphasize",
    "stressing": "stress",
    "recalling": "recall",
    "welcoming": "welcome",
    "acknowledging": "acknowledge",
    "affirming": "affirm",
    "reaffirming": "reaffirm",
    "concerned": "express concern",
    "aware": "note",
}
_ZH_VERBS = ("敦促", "邀请", "鼓励", "要求", "决定", "欢迎", "请")
_ZH_PREAMBLE_VERBS = ("还注意到", "注意到", "还认识到", "认识到", "强调", "回顾", "欢迎", "确认")
_ITEM = re.compile(r"^\s*\(?[a-z]{1,4}\)\s*|^\s*\d+\.\s*")
_LEAD_WORDS = re.compile(
    r"^(?:in|on|when|where|with|subject|through|taking|bearing|having|if|while|as|by|for|"
    r"according|pursuant|consistent|further)\b",
    re.I,
)
_MAIN_ACTION = re.compile(r",\s+(?:to\s+([a-z]+)|([a-z]+ing))\b")
_ASIDES = re.compile(
    r",\s*(?:on the basis of|in accordance with|where appropriate|as appropriate|subject to|"
    r"in collaboration with|in cooperation with)[^,;:]*,",
    re.I,
)
_STOPS_AFTER = (
    " that ", " which ", " whose ", " who ", " in order to ", " with a view to ", " so that ",
    " bearing in mind ", " while ", " mainly through ", " including ", " as part of ",
    " to ensure ", " to facilitate ", " to avoid ", " to help ",
)
_RELATIVE = frozenset({" that ", " which ", " whose ", " who "})
_CONNECTORS = frozenset(
    "and or nor but including in to which that as such with bearing mainly while where taking"
    " particularly especially so thereby through whose who".split()
)
_WEAK_ENDINGS = frozenset(
    "a an the of and or to for on in with by at from as its their his her our your this that"
    " these those such other all any".split()
)
_SUBJECT_MARKERS = frozenset(
    "will can could is are was were should may might must provide provides has have need needs"
    " play plays contribute contributes remain remains".split()
)


# --- English phrase extraction -------------------------------------------------------------


def _gerund(verb: str) -> str:
    """'convene' -> 'convening', 'identify' -> 'identifying' (enough for decision verbs)."""
    verb = verb.lower()
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    return verb + "ing"


def _trim_words(phrase: str, limit: int) -> str:
    words = phrase.split()
    if len(words) > limit:
        words = words[:limit]
    while len(words) > 1 and words[-1].lower().strip(",;:") in _WEAK_ENDINGS:
        words.pop()
    return " ".join(words).rstrip(",;:. ")


def _cut_clause(text: str, min_words: int = 4) -> str:
    """Cut at the first clause boundary once the phrase has ``min_words`` words.

    A comma inside a list of adjectives or nouns ("user-friendly, comprehensive web
    portal") is not a boundary unless the phrase is already long.
    """
    cuts = [
        index
        for marker in _STOPS_AFTER
        if (index := text.find(marker)) > 0
        and len(text[:index].split()) >= (6 if marker in _RELATIVE else 3)
    ]
    if cuts:
        text = text[: min(cuts)]
    for match in re.finditer(r"[,;:(]", text):
        words = len(text[: match.start()].split())
        if words < min_words:
            continue
        following = text[match.end():].split(maxsplit=1)
        next_word = following[0].lower() if following else ""
        if (
            match.group() != ","
            or words >= 10
            or next_word in _CONNECTORS
            or next_word.endswith(("ing", "ed"))
        ):
            return text[: match.start()]
    return re.split(r"[;:]", text)[0]


def lower_first(phrase: str) -> str:
    """Lower-case a sentence-initial word ('Identifying' -> 'identifying'), not a name ('FLR', 'Target')."""
    first = phrase.split(" ", 1)[0]
    if first[:1].isupper() and not any(c.isupper() for c in first[1:]) and not any(c.isdigit() for c in first):
        return phrase[:1].lower() + phrase[1:]
    return phrase


def action_phrase(text: str, limit: int = 14) -> str:
    """Return the key action of an operative (sub-)paragraph, as a gerund phrase.

    '(e) When identifying degraded ecosystems to be restored, considering carrying out a
    social impact assessment…' -> 'considering carrying out a social impact assessment'.
    """
    text = _ITEM.sub("", text.strip().lstrip("[")).strip()
    text = _ASIDES.sub("", text)
    noted = re.match(r"^taking note of\s+([^,;]+),", text, re.I)
    if _LEAD_WORDS.match(text) or noted:
        main = _MAIN_ACTION.search(text)
        if main:
            text = (_gerund(main.group(1)) if main.group(1) else main.group(2)) + text[main.end():]
    text = re.sub(r"^to\s+([a-z]+)", lambda m: _gerund(m.group(1)), text, flags=re.I)
    phrase = _trim_words(_cut_clause(text), limit)
    if noted and noted.group(1).lower() not in phrase.lower():
        # '(b) Taking note of extreme weather events, to support …': keep what it responds to.
        phrase = f"{phrase} in view of {_trim_words(noted.group(1), 6)}"
    return lower_first(phrase)


def chapeau_parts(chapeau: str) -> tuple[str, str, str, str] | None:
    """Split '1. Urges Parties, and encourages …, to work together…' into its pieces.

    Returns (verb base form, past participle, first addressee, action phrase or '').
    """
    text = _ITEM.sub("", chapeau.strip()).lstrip("[").strip()
    match = re.match(r"(?:also\s+|further\s+)?(" + "|".join(_EN_VERBS) + r")\s+(.*)", text, re.I | re.S)
    if not match:
        return None
    verb, participle = _EN_VERBS[match.group(1).lower()]
    rest = match.group(2)
    actor = re.split(r",|\s+and\s+|\s+to\s+|\s+in\s+a\s+position|:|\s+subject\s+to", rest, maxsplit=1)[0]
    actor = actor.strip()
    action = ""
    rest = re.sub(r"\b(?:subject|according|pursuant|in addition|with a view|in relation)\s+to\b", "", rest)
    main = re.search(r"(?:,|\s)\s*to\s+([a-z]+)\b", rest)
    if main and main.group(1) != "do":
        after = rest[main.end() - len(main.group(1)):].strip()
        action = _trim_words(_cut_clause(after, 5), 10)
    return verb, participle, actor, action


def preamble_parts(text: str) -> tuple[str, str, str] | None:
    """Split a recital into (verb, template slot, key phrase)."""
    text = _ITEM.sub("", text.strip()).lstrip("[").strip()
    match = re.match(r"(?:also\s+|further\s+)?([a-z]+)\b[,\s]*(.*)", text, re.I | re.S)
    if not match or match.group(1).lower() not in _EN_PREAMBLE_VERBS:
        return None
    verb = _EN_PREAMBLE_VERBS[match.group(1).lower()]
    rest = match.group(2)
    particular = re.search(r"\bin particular that\s+(.*)", rest, re.S)
    if particular:
        rest = particular.group(1)
    rest = re.sub(r"^that\s*", "", rest.strip(), flags=re.I)
    rest = re.sub(r"^,?\s*(?:particularly|especially|in particular)\b[^,]*,\s*", "", rest, flags=re.I)
    rest = re.sub(r",\s*(?:in particular|particularly|as well as|including)\b.*?(?=\s(?:need|needs)\b|$)", "", rest, flags=re.S)
    words = rest.split()
    cut = next((i for i, w in enumerate(words) if i > 0 and w.lower().strip(",") in _SUBJECT_MARKERS), None)
    if cut is None:
        return verb, "preamble", lower_first(_trim_words(_cut_clause(rest), 12))
    subject = lower_first(_trim_words(" ".join(words[:cut]), 14))
    marker = words[cut].lower().strip(",")
    predicate = " ".join(words[cut:])
    if len(subject.split()) >= 4:
        return verb, "preamble", subject
    if marker in ("need", "needs"):
        return verb, "preamble_that", f"{subject} {marker}"
    contribute = re.match(r"(?:can\s+|could\s+|will\s+)?(contributes?)\s+to\b", predicate)
    if contribute:
        aux = predicate.split()[0] if predicate.split()[0] in ("can", "could", "will") else ""
        return verb, "preamble_that", " ".join(x for x in (subject, aux, "contribute to") if x)
    target = re.search(r"\b(?:to|in|for|on)\s+(?:[a-z]+ing\s+)?(.+)", predicate)
    if target:
        obj = _trim_words(_cut_clause(target.group(1), 1), 8)
        if obj:
            return verb, "preamble", f"{subject} in relation to {obj}"
    return verb, "preamble", subject


# --- Chinese phrase extraction --------------------------------------------------------------

_ZH_LEAD = re.compile(r"^(?:与|同|根据|按照|依照|当|在|注意到|考虑到|通过)")
_ZH_LEAD_END = re.compile(r"(?:基础上|情况下|时)$")
_ZH_CLAUSE = re.compile(r"[，；：。;:]|,(?!\s*\d)")


def _zh_clauses(text: str) -> list[str]:
    text = re.sub(r"（[^（）]*）|\([^()]*\)", "", text)
    return [c.strip() for c in _ZH_CLAUSE.split(text) if c.strip()]


def _zh_shorten(phrase: str, limit: int) -> str:
    """Shorten a long Chinese clause at a conjunction, or fold a long list into '与其他'."""
    phrase = re.sub(r"(?:、[^、，；]{1,20}){2,}和其他", "与其他", phrase.strip())
    if len(phrase) <= limit:
        return phrase
    for conjunction in ("以及", "并", "和"):
        index = phrase.rfind(conjunction, 8, limit)
        if index > 0:
            return phrase[:index].strip()
    return phrase[:limit].strip()


def zh_action_phrase(text: str, limit: int = 48) -> str:
    """Return the key action of a Chinese operative sub-paragraph: its first main clause."""
    clauses = _zh_clauses(_ITEM.sub("", text.strip()))
    if not clauses:
        return ""
    index = 0
    first = clauses[0]
    if (_ZH_LEAD.match(first) or _ZH_LEAD_END.search(first)) and len(clauses) > 1:
        index = 1
        if _ZH_LEAD_END.search(first) and not _ZH_LEAD.match(first):
            # '推动在…的基础上，进一步制定…': the verb sits before the lead clause.
            verb = re.match(r"^([^在根按依当通]{1,4})在", first)
            clauses[1] = (verb.group(1) if verb else "") + clauses[1]
    phrase = re.sub(r"^(?:并|以及|和)", "", clauses[index])
    noted = re.match(r"^注意到(.+)$", first)
    if index == 1 and noted and noted.group(1) not in phrase:
        # '(b) 注意到极端天气状况，支持实施生态系统恢复…': keep what it responds to.
        phrase = f"{phrase}以应对{noted.group(1)}"
    if len(phrase) < 8 and index + 1 < len(clauses) and re.match(r"^(?:以便|以|如)", clauses[index + 1]):
        phrase = f"{phrase}，{clauses[index + 1]}"
    return _zh_shorten(phrase, limit)


def zh_chapeau_parts(chapeau: str) -> tuple[str, str, str] | None:
    """(verb, first addressee, action phrase) of a Chinese chapeau."""
    text = _ITEM.sub("", chapeau.strip()).lstrip("[").strip()
    match = re.match(r"(?:还|又)?(" + "|".join(_ZH_VERBS) + r")\s*(.*)", text, re.S)
    if not match:
        return None
    verb, rest = match.group(1), match.group(2).strip()
    actor = re.split(r"并|、|，|,|：|:|在|和|以及", rest, maxsplit=1)[0].strip()
    actor = re.sub(r"^各", "", actor)
    action = ""
    together = re.search(r"(?:共同努力，|，)((?:实现|支持|执行|协助|提供)[^，；：]*)", rest)
    if together:
        action = _zh_shorten(together.group(1), 32)
    return verb, actor, action


def zh_preamble_parts(text: str) -> tuple[str, str, str] | None:
    """Split a Chinese recital into (verb, template slot, key phrase)."""
    text = _ITEM.sub("", text.strip()).lstrip("[").strip()
    match = re.match(r"(" + "|".join(_ZH_PREAMBLE_VERBS) + r")[\s，,]*(.*)", text, re.S)
    if not match:
        return None
    verb, rest = match.group(1).lstrip("还"), match.group(2)
    if "尤其是" in rest:
        rest = rest.split("尤其是", 1)[1]
    rest = re.sub(r"^特别是[^，]*，", "", rest)
    subject = rest
    for marker in ("愈来愈", "不可", "不是", "能够", "可以", "将在", "将", "能", "为《", "为", "是", "需要", "，"):
        index = rest.find(marker, 4)
        if 0 < index < len(subject):
            subject = rest[:index]
    predicate = rest[len(subject):]
    subject = subject.strip("，, ")
    if len(subject) > 40:
        subject = _zh_clauses(subject)[0][:40]
    if not subject:
        return None
    if re.match(r"(?:能够|能|可以)?有助于", predicate):
        return verb, "preamble_that", f"{subject}能够有助于哪些方面"
    role = re.match(r"将在.+?发挥(.{0,6}?)作用", predicate)
    if role:
        return verb, "preamble_that", f"{subject}将在哪些方面发挥{role.group(1)}作用"
    return verb, "preamble", subject
