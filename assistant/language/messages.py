"""What the assistant says in its own words, in the six UN languages.

Quotes come from the passages; everything else an answer shows — the frame that names
the source, the refusal, the notice that quotes are in another language — is written
here, once per language, so adding a language is one table entry per message.
English is the fallback for a language without an entry.
"""

from __future__ import annotations

import re

from assistant.language.references import instrument

__all__ = ["LANGUAGE_NAMES", "asked_language", "asks_shorter", "frame", "message", "paragraph_label", "source_label"]

LANGUAGE_NAMES = {
    "en": {"en": "English", "zh": "Chinese", "es": "Spanish", "fr": "French", "ru": "Russian", "ar": "Arabic"},
    "zh": {"en": "英文", "zh": "中文", "es": "西班牙文", "fr": "法文", "ru": "俄文", "ar": "阿拉伯文"},
    "es": {"en": "inglés", "zh": "chino", "es": "español", "fr": "francés", "ru": "ruso", "ar": "árabe"},
    "fr": {"en": "anglais", "zh": "chinois", "es": "espagnol", "fr": "français", "ru": "russe", "ar": "arabe"},
    "ru": {"en": "английский", "zh": "китайский", "es": "испанский", "fr": "французский", "ru": "русский", "ar": "арабский"},
    "ar": {"en": "الإنجليزية", "zh": "الصينية", "es": "الإسبانية", "fr": "الفرنسية", "ru": "الروسية", "ar": "العربية"},
}

_MESSAGES: dict[str, dict[str, str]] = {
    "refusal": {
        "en": "The corpus does not cover this question. The closest passages are listed as possibly related.",
        "zh": "语料库没有涉及这个问题。下面列出可能相关的最接近的段落。",
        "es": "El corpus no cubre esta pregunta. Los pasajes más cercanos se indican como posiblemente relacionados.",
        "fr": "Le corpus ne couvre pas cette question. Les passages les plus proches sont indiqués comme peut-être liés.",
        "ru": "Корпус документов не охватывает этот вопрос. Ближайшие фрагменты приведены как, возможно, связанные с ним.",
        "ar": "لا تتناول الوثائق المتاحة هذا السؤال. وتُدرج أدناه أقرب المقاطع بوصفها قد تكون ذات صلة.",
    },
    "other_language": {
        "en": "The quoted passages are in {names}.",
        "zh": "以下引用的段落为{names}。",
        "es": "Los pasajes citados están en {names}.",
        "fr": "Les passages cités sont en {names}.",
        "ru": "Язык цитируемых фрагментов: {names}.",
        "ar": "لغة المقاطع المقتبسة: {names}.",
    },
    "some_other_language": {
        "en": "Some of the quoted passages are in {names}.",
        "zh": "部分引用的段落为{names}。",
        "es": "Algunos de los pasajes citados están en {names}.",
        "fr": "Certains des passages cités sont en {names}.",
        "ru": "Часть цитируемых фрагментов на другом языке: {names}.",
        "ar": "بعض المقاطع المقتبسة بلغة أخرى: {names}.",
    },
    "no_version": {
        "en": "The corpus has no {name} version of these passages; they are quoted as written.",
        "zh": "语料库中没有这些段落的{name}版本，以下按原文引用。",
        "es": "El corpus no tiene una versión en {name} de estos pasajes; se citan tal como están escritos.",
        "fr": "Le corpus n'a pas de version en {name} de ces passages ; ils sont cités tels quels.",
        "ru": "В корпусе нет версии этих фрагментов на языке «{name}»; они приводятся как написаны.",
        "ar": "لا تتضمن الوثائق نسخة من هذه المقاطع باللغة {name}؛ وهي مقتبسة كما كُتبت.",
    },
    # The frame that opens each quoted passage: the first, then the others.
    "frame_first": {
        "en": "{label} addresses this:",
        "zh": "{label}对此指出：",
        "es": "{label} trata este punto:",
        "fr": "{label} traite de ce point :",
        "ru": "{label} говорит об этом следующее:",
        "ar": "يتناول {label} هذه المسألة:",
    },
    "frame_more": {
        "en": "{label} adds:",
        "zh": "{label}还指出：",
        "es": "{label} añade:",
        "fr": "{label} ajoute :",
        "ru": "{label} добавляет:",
        "ar": "ويضيف {label}:",
    },
    # Arabic verbs agree with a feminine subject ("دراسة الحالة", "الوثيقة التوجيهية").
    "frame_first_feminine": {"en": "{label} addresses this:", "ar": "تتناول {label} هذه المسألة:"},
    "frame_more_feminine": {"en": "{label} adds:", "ar": "وتضيف {label}:"},
    "decision": {
        "en": "Decision {symbol}",
        "zh": "第{symbol}号决定",
        "es": "La decisión {symbol}",
        "fr": "La décision {symbol}",
        "ru": "Решение {symbol}",
        "ar": "المقرر {symbol}",
    },
    "resolution": {
        "en": "Resolution {symbol}",
        "zh": "第{symbol}号决议",
        "es": "La resolución {symbol}",
        "fr": "La résolution {symbol}",
        "ru": "Резолюция {symbol}",
        "ar": "القرار {symbol}",
    },
    "paragraph": {
        "en": "{decision}, para. {paragraph}",
        "zh": "{decision}第{paragraph}段",
        "es": "{decision}, párrafo {paragraph}",
        "fr": "{decision}, paragraphe {paragraph}",
        "ru": "{decision}, пункт {paragraph}",
        "ar": "{decision}، الفقرة {paragraph}",
    },
    "preamble": {
        "en": "{decision}, preambular para. {paragraph}",
        "zh": "{decision}序言部分第{paragraph}段",
        "es": "{decision}, párrafo {paragraph} del preámbulo",
        "fr": "{decision}, alinéa {paragraph} du préambule",
        "ru": "{decision}, пункт {paragraph} преамбулы",
        "ar": "{decision}، الفقرة {paragraph} من الديباجة",
    },
    # A passage that is not a decision's paragraph is named by its kind and number:
    # a title in the document's language would put a third language into the frame.
    "case-study": {
        "en": "The case study [{n}]",
        "zh": "案例研究[{n}]",
        "es": "El estudio de caso [{n}]",
        "fr": "L'étude de cas [{n}]",
        "ru": "Пример из практики [{n}]",
        "ar": "دراسة الحالة [{n}]",
    },
    "guidance": {
        "en": "The guidance [{n}]",
        "zh": "指导文件[{n}]",
        "es": "La guía [{n}]",
        "fr": "Le document d'orientation [{n}]",
        "ru": "Руководство [{n}]",
        "ar": "الوثيقة التوجيهية [{n}]",
    },
    "report": {
        "en": "The report [{n}]",
        "zh": "报告[{n}]",
        "es": "El informe [{n}]",
        "fr": "Le rapport [{n}]",
        "ru": "Доклад [{n}]",
        "ar": "التقرير [{n}]",
    },
    "source": {
        "en": "Source [{n}]",
        "zh": "来源[{n}]",
        "es": "La fuente [{n}]",
        "fr": "La source [{n}]",
        "ru": "Источник [{n}]",
        "ar": "المصدر [{n}]",
    },
}


def message(key: str, language: str, **values: object) -> str:
    """Return the message ``key`` in ``language`` (English when missing), filled with ``values``."""
    table = _MESSAGES[key]
    return table.get(language, table["en"]).format(**values)


def paragraph_label(symbol: str, paragraph: str, language: str) -> str:
    """'Decision XI/16, para. 1(g)' in ``language``; 'pp5' is preambular para. 5.

    A Ramsar resolution is named as one ("Resolution XIII.13, para. 5").
    """
    decision = message(instrument(symbol), language, symbol=symbol)
    if not paragraph:
        return decision
    if paragraph.startswith("pp"):
        return message("preamble", language, decision=decision, paragraph=paragraph[2:])
    return message("paragraph", language, decision=decision, paragraph=paragraph)


def source_label(n: int, metadata: dict[str, object], language: str) -> str:
    """How a frame names a passage: a decision by symbol and paragraph, else by its kind.

    Titles stay in the source list: a title in the document's language would put a
    third language into the frame.
    """
    symbol = str(metadata.get("symbol", ""))
    kind = str(metadata.get("kind", ""))
    if kind == "decision" and symbol:
        return paragraph_label(symbol, str(metadata.get("paragraph", "")), language)
    return message(kind if kind in _MESSAGES else "source", language, n=n)


def frame(label: str, first: bool, language: str) -> str:
    """Return the short line before a quoted passage: '{label} addresses this:'.

    An Arabic verb agrees with its subject: a feminine head noun (ending in tā' marbūṭa,
    "دراسة الحالة", "الوثيقة التوجيهية") takes "تتناول" / "وتضيف".
    """
    key = "frame_first" if first else "frame_more"
    if language == "ar" and label.split(maxsplit=1)[0].endswith("ة"):
        key += "_feminine"
    return message(key, language, label=label)


# How a request for a shorter answer is worded, per language: the vocabulary of a command
# about the last answer (like a chat client's), not of the questions themselves.
_SHORTER = {
    "en": r"\b(?:shorter|briefer|simpler|more briefly|more simply|in brief|concise|summari[sz]e|in short|just the first)\b",
    "zh": r"简短|简要|短一点|简单点|简单些|简单一点|更短|更简单|概括",
    "es": r"\b(?:más cort[oa]|más breve|más simple|más sencill[oa]|brevemente|resum(?:e|en|ido)|solo la primera)\b",
    "fr": r"\b(?:plus court|plus brève?|plus simple(?:ment)?|en bref|résum(?:é|e|ez)|juste la première)\b",
    "ru": r"(?<!\w)(?:короче|кратко|покороче|вкратце|проще|попроще)(?!\w)",
    "ar": r"(?:أقصر|باختصار|بإيجاز|اختصر|أبسط|ببساطة)",
}


def asks_shorter(question: str, language: str) -> bool:
    """Whether ``question`` asks for a shorter version of the last answer."""
    pattern = _SHORTER.get(language)
    return bool(pattern and re.search(pattern, question, re.IGNORECASE))


# How a question names a language, per language of the question: "in English", "用中文",
# "en español", "по-русски", "بالعربية" (the names of LANGUAGE_NAMES with their common
# variants and inflections).
_NAMED_LANGUAGES = {
    "en": {"en": r"\bEnglish\b", "zh": r"\bChinese\b", "es": r"\bSpanish\b", "fr": r"\bFrench\b",
           "ru": r"\bRussian\b", "ar": r"\bArabic\b"},
    "zh": {"en": r"英文|英语", "zh": r"中文|汉语|华语", "es": r"西班牙文|西班牙语", "fr": r"法文|法语",
           "ru": r"俄文|俄语", "ar": r"阿拉伯文|阿拉伯语"},
    "es": {"en": r"\bingl[ée]s\b", "zh": r"\bchino\b", "es": r"\b(?:español|castellano)\b",
           "fr": r"\bfranc[ée]s\b", "ru": r"\bruso\b", "ar": r"\b[áa]rabe\b"},
    "fr": {"en": r"\banglais\b", "zh": r"\bchinois\b", "es": r"\bespagnol\b", "fr": r"\bfran[çc]ais\b",
           "ru": r"\brusse\b", "ar": r"\barabe\b"},
    "ru": {"en": r"англ\w+|по-английски", "zh": r"китайск\w+|по-китайски", "es": r"испанск\w+|по-испански",
           "fr": r"французск\w+|по-французски", "ru": r"русск\w+|по-русски", "ar": r"арабск\w+|по-арабски"},
    "ar": {"en": r"الإنجليزية|الانجليزية|الإنكليزية", "zh": r"الصينية", "es": r"الإسبانية|الاسبانية",
           "fr": r"الفرنسية", "ru": r"الروسية", "ar": r"العربية"},
}


def asked_language(question: str, language: str) -> str | None:
    """Return the language ``question`` (written in ``language``) names, if it names one."""
    for code, pattern in _NAMED_LANGUAGES.get(language, {}).items():
        if re.search(pattern, question, re.IGNORECASE):
            return code
    return None
