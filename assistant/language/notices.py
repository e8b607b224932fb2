"""Refusal notices of the premise and evidence checks, in the six UN languages.

One table per notice, so a new language is one column; :func:`message` falls back to
English for a language without one.
"""

from __future__ import annotations

__all__ = ["JOINERS", "KINDS", "MESSAGES", "QUOTES", "kind_name", "message"]

# Refusal notices, one table for every check, in the six UN languages.
MESSAGES: dict[str, dict[str, str]] = {
    "missing": {
        "en": "None of the passages mentions {terms}.",
        "zh": "所检索的段落均未提及{terms}。",
        "es": "Ninguno de los pasajes menciona {terms}.",
        "fr": "Aucun des passages ne mentionne {terms}.",
        "ru": "Ни в одном из фрагментов не упоминается {terms}.",
        "ar": "لا يذكر أي من المقاطع {terms}.",
    },
    "instruction": {
        "en": "This assistant answers questions from its documents; it does not take instructions about itself.",
        "zh": "本助手只根据文献回答问题，不执行关于自身的指令。",
        "es": "Este asistente responde preguntas a partir de sus documentos; no acepta instrucciones sobre sí mismo.",
        "fr": "Cet assistant répond aux questions à partir de ses documents ; il n'accepte pas d'instructions sur lui-même.",
        "ru": "Этот ассистент отвечает на вопросы по своим документам; он не выполняет указаний о самом себе.",
        "ar": "يجيب هذا المساعد عن الأسئلة من وثائقه؛ ولا يقبل تعليمات تخصّه هو.",
    },
    "addressed": {
        "en": "This assistant quotes its documents; it has no opinions, forecasts or instructions of its own to give.",
        "zh": "本助手只引用文献，不提供自己的看法、预测或指令。",
        "es": "Este asistente cita sus documentos; no tiene opiniones, previsiones ni instrucciones propias.",
        "fr": "Cet assistant cite ses documents ; il n'a ni opinions, ni prévisions, ni instructions propres.",
        "ru": "Этот ассистент цитирует свои документы; у него нет собственных мнений, прогнозов или инструкций.",
        "ar": "يقتبس هذا المساعد من وثائقه؛ وليست لديه آراء أو توقعات أو تعليمات خاصة به.",
    },
    "harmful": {
        "en": "This asks for help with something that could damage ecosystems, deceive others or break the law; this assistant does not give such help.",
        "zh": "这个问题寻求的帮助可能破坏生态系统、欺骗他人或违反法律；本助手不提供此类帮助。",
        "es": "La pregunta pide ayuda para algo que podría dañar los ecosistemas, engañar a otros o infringir la ley; este asistente no presta esa ayuda.",
        "fr": "La question demande de l'aide pour une action qui pourrait nuire aux écosystèmes, tromper autrui ou enfreindre la loi ; cet assistant n'apporte pas ce type d'aide.",
        "ru": "Вопрос просит помочь в том, что может навредить экосистемам, ввести других в заблуждение или нарушить закон; этот ассистент такой помощи не оказывает.",
        "ar": "يطلب السؤال المساعدة في أمر قد يضر بالنظم الإيكولوجية أو يخدع الآخرين أو يخالف القانون؛ ولا يقدم هذا المساعد مثل هذه المساعدة.",
    },
    "forecast": {
        "en": "The question asks for a forecast. This assistant quotes its documents and does not predict what will happen; the closest passages are listed for you to read.",
        "zh": "这个问题要求作出预测。本助手只引用文献，不预测未来会发生什么；下面列出最接近的段落供您阅读。",
        "es": "La pregunta pide un pronóstico. Este asistente cita sus documentos y no predice lo que ocurrirá; los pasajes más cercanos se indican para que los lea.",
        "fr": "La question demande une prévision. Cet assistant cite ses documents et ne prédit pas ce qui arrivera ; les passages les plus proches sont indiqués pour que vous les lisiez.",
        "ru": "Вопрос просит дать прогноз. Этот ассистент цитирует свои документы и не предсказывает, что произойдёт; ближайшие фрагменты приведены ниже.",
        "ar": "يطلب السؤال توقعًا. يقتبس هذا المساعد من وثائقه ولا يتنبأ بما سيحدث؛ وترد أدناه أقرب المقاطع لتطلع عليها.",
    },
    "confirm": {
        "en": "The question asks to confirm a claim. This assistant quotes its documents and does not judge claims; the closest passages are listed for you to read.",
        "zh": "这个问题要求确认一种说法。本助手只引用文献，不评判说法；下面列出最接近的段落供您阅读。",
        "es": "La pregunta pide confirmar una afirmación. Este asistente cita sus documentos y no juzga afirmaciones; los pasajes más cercanos se indican para que los lea.",
        "fr": "La question demande de confirmer une affirmation. Cet assistant cite ses documents et ne juge pas les affirmations ; les passages les plus proches sont indiqués pour que vous les lisiez.",
        "ru": "Вопрос просит подтвердить утверждение. Этот ассистент цитирует свои документы и не оценивает утверждения; ближайшие фрагменты приведены ниже.",
        "ar": "يطلب السؤال تأكيد ادعاء. يقتبس هذا المساعد من وثائقه ولا يحكم على الادعاءات؛ وترد أدناه أقرب المقاطع لتطلع عليها.",
    },
    "paragraph": {
        "en": "Decision {symbol} has no paragraph {paragraph}.",
        "zh": "第{symbol}号决定没有第{paragraph}段。",
        "es": "La decisión {symbol} no tiene párrafo {paragraph}.",
        "fr": "La décision {symbol} n'a pas de paragraphe {paragraph}.",
        "ru": "В решении {symbol} нет пункта {paragraph}.",
        "ar": "لا يتضمن المقرر {symbol} فقرة {paragraph}.",
    },
    "paragraph-absent": {
        "en": "None of the passages quotes paragraph {paragraph} of decision {symbol}.",
        "zh": "所检索的段落均未引用第{symbol}号决定第{paragraph}段。",
        "es": "Ninguno de los pasajes cita el párrafo {paragraph} de la decisión {symbol}.",
        "fr": "Aucun des passages ne cite le paragraphe {paragraph} de la décision {symbol}.",
        "ru": "Ни один из фрагментов не приводит пункт {paragraph} решения {symbol}.",
        "ar": "لا يقتبس أي من المقاطع الفقرة {paragraph} من المقرر {symbol}.",
    },
    "ban": {
        "en": "None of the closest passages states a prohibition of this kind.",
        "zh": "最接近的段落都没有规定这类禁止。",
        "es": "Ninguno de los pasajes más cercanos establece una prohibición de este tipo.",
        "fr": "Aucun des passages les plus proches n'énonce une interdiction de ce type.",
        "ru": "Ни один из ближайших фрагментов не устанавливает такого запрета.",
        "ar": "لا يتضمن أي من أقرب المقاطع حظرًا من هذا النوع.",
    },
    "figure": {
        "en": "None of the closest passages states {kind}.",
        "zh": "最接近的段落都没有给出{kind}。",
        "es": "Ninguno de los pasajes más cercanos indica {kind}.",
        "fr": "Aucun des passages les plus proches n'indique {kind}.",
        "ru": "Ни один из ближайших фрагментов не указывает {kind}.",
        "ar": "لا يذكر أي من أقرب المقاطع {kind}.",
    },
    # A passage states an amount of the kind, but not of what was asked.
    "answer-figure": {
        "en": "The closest passages state no {kind} for what was asked.",
        "zh": "最接近的段落中与所问内容相关的部分没有给出{kind}。",
        "es": "Los pasajes más cercanos no indican {kind} para lo que se pregunta.",
        "fr": "Les passages les plus proches n'indiquent pas {kind} pour ce qui est demandé.",
        "ru": "Ближайшие фрагменты не указывают {kind} для того, о чём спрошено.",
        "ar": "لا تذكر أقرب المقاطع {kind} لما سُئل عنه.",
    },
}
# The asked kind of figure, named in each language (the object of "states …").
KINDS: dict[str, dict[str, str]] = {
    "per-year": {
        "en": "an amount per year",
        "zh": "每年的数量",
        "es": "una cantidad por año",
        "fr": "une quantité par an",
        "ru": "величину в год",
        "ar": "كمية سنوية",
    },
    "per-hectare": {
        "en": "an amount per hectare",
        "zh": "每公顷的数量",
        "es": "una cantidad por hectárea",
        "fr": "une quantité par hectare",
        "ru": "величину на гектар",
        "ar": "كمية لكل هكتار",
    },
    "area": {
        "en": "an area",
        "zh": "面积",
        "es": "una superficie",
        "fr": "une superficie",
        "ru": "площадь",
        "ar": "مساحة",
    },
    "money": {
        "en": "a sum of money",
        "zh": "金额",
        "es": "una cantidad de dinero",
        "fr": "une somme d'argent",
        "ru": "денежную сумму",
        "ar": "مبلغًا من المال",
    },
    "percent": {
        "en": "a percentage",
        "zh": "百分比",
        "es": "un porcentaje",
        "fr": "un pourcentage",
        "ru": "процентную долю",
        "ar": "نسبة مئوية",
    },
    "dose": {
        "en": "a dose or application rate",
        "zh": "剂量或施用量",
        "es": "una dosis",
        "fr": "une dose",
        "ru": "дозу или норму внесения",
        "ar": "جرعة أو معدل استخدام",
    },
    "mass": {
        "en": "a weight in tonnes or kilograms",
        "zh": "以吨或千克计的重量",
        "es": "un peso en toneladas o kilos",
        "fr": "un poids en tonnes ou en kilos",
        "ru": "массу в тоннах или килограммах",
        "ar": "وزنًا بالأطنان أو الكيلوغرامات",
    },
    "length": {
        "en": "a length, depth or height",
        "zh": "长度、深度或高度",
        "es": "una longitud, profundidad o altura",
        "fr": "une longueur, profondeur ou hauteur",
        "ru": "длину, глубину или высоту",
        "ar": "طولًا أو عمقًا أو ارتفاعًا",
    },
    "forecast": {
        "en": "a forecast",
        "zh": "预测",
        "es": "un pronóstico",
        "fr": "une prévision",
        "ru": "прогноз",
        "ar": "توقعًا",
    },
    "date": {
        "en": "a date",
        "zh": "日期",
        "es": "una fecha",
        "fr": "une date",
        "ru": "дату",
        "ar": "تاريخًا",
    },
    "contact": {
        "en": "contact details",
        "zh": "联系方式",
        "es": "datos de contacto",
        "fr": "des coordonnées",
        "ru": "контактные данные",
        "ar": "بيانات اتصال",
    },
}
JOINERS = {"en": ", ", "zh": "、", "es": ", ", "fr": ", ", "ru": ", ", "ar": "، "}
QUOTES = {"zh": "“{}”", "fr": "« {} »", "ru": "«{}»", "ar": "«{}»"}


def message(key: str, language: str, **values: str) -> str:
    """Return the notice ``key`` in ``language`` (English when there is none)."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**values)


def kind_name(kind: str, language: str) -> str:
    """Name an asked kind of figure in ``language``."""
    names = KINDS.get(kind, {})
    return names.get(language) or names.get("en") or kind
