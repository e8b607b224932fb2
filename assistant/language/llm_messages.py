"""What the assistant says about a language model's answer, in the six UN languages.

The sentence the prompt asks for when the passages do not answer, the line shown above the
passages while the model writes, and the notices shown when the model's text is replaced
or flagged. Kept here with the other per-language wording, so a new language is added in
this package.
"""

from __future__ import annotations

__all__ = ["LLM_NOTICES", "PROMPT_REFUSALS", "READING"]

# The sentence the prompt asks for when the passages do not answer, per language.
PROMPT_REFUSALS = {
    "en": "The passages do not answer this question.",
    "zh": "这些段落没有回答这个问题。",
    "es": "Los pasajes no responden a esta pregunta.",
    "fr": "Les passages ne répondent pas à cette question.",
    "ru": "Эти фрагменты не отвечают на этот вопрос.",
    "ar": "لا تجيب هذه المقاطع عن هذا السؤال.",
}
# The line above the passages shown while the model writes (evidence first).
READING = {
    "en": "Passages read for this answer:",
    "zh": "本回答所依据的段落：",
    "es": "Pasajes leídos para esta respuesta:",
    "fr": "Passages lus pour cette réponse :",
    "ru": "Фрагменты, прочитанные для этого ответа:",
    "ar": "المقاطع المقروءة لهذه الإجابة:",
}

# What the user is told when the model's text is not shown or is flagged, in the
# question's language (the design's rule for an answer's own words); English otherwise.
LLM_NOTICES = {
    "failed": {
        "en": "The language model at {endpoint} did not answer ({reason}); this is the extractive answer.",
        "zh": "位于 {endpoint} 的语言模型没有回答（{reason}）；以下是抽取式回答。",
        "es": "El modelo de lenguaje en {endpoint} no respondió ({reason}); esta es la respuesta extractiva.",
        "fr": "Le modèle de langue à {endpoint} n'a pas répondu ({reason}) ; voici la réponse extractive.",
        "ru": "Языковая модель по адресу {endpoint} не ответила ({reason}); ниже — извлечённый ответ.",
        "ar": "لم يُجب النموذج اللغوي في {endpoint} ({reason})؛ وهذه هي الإجابة المستخرجة.",
    },
    "stopped": {
        "en": "The language model at {endpoint} stopped in the middle of its answer ({reason}); this is the extractive answer.",
        "zh": "位于 {endpoint} 的语言模型在回答中途停止（{reason}）；以下是抽取式回答。",
        "es": "El modelo de lenguaje en {endpoint} se detuvo a mitad de su respuesta ({reason}); esta es la respuesta extractiva.",
        "fr": "Le modèle de langue à {endpoint} s'est arrêté au milieu de sa réponse ({reason}) ; voici la réponse extractive.",
        "ru": "Языковая модель по адресу {endpoint} остановилась посреди ответа ({reason}); ниже — извлечённый ответ.",
        "ar": "توقف النموذج اللغوي في {endpoint} في منتصف إجابته ({reason})؛ وهذه هي الإجابة المستخرجة.",
    },
    "unsupported": {
        "en": "The language model's answer was not supported by the retrieved passages; this is the extractive answer.",
        "zh": "语言模型的回答没有得到检索到的段落的支持；以下是抽取式回答。",
        "es": "Los pasajes recuperados no respaldan la respuesta del modelo de lenguaje; esta es la respuesta extractiva.",
        "fr": "Les passages trouvés n'étayent pas la réponse du modèle de langue ; voici la réponse extractive.",
        "ru": "Найденные фрагменты не подтверждают ответ языковой модели; ниже — извлечённый ответ.",
        "ar": "لا تدعم المقاطع المسترجعة إجابة النموذج اللغوي؛ وهذه هي الإجابة المستخرجة.",
    },
    "language": {
        "en": "The language model answered in {written}, not in {asked}; this is the extractive answer.",
        "zh": "语言模型用{written}而不是{asked}回答；以下是抽取式回答。",
        "es": "El modelo de lenguaje respondió en {written}, no en {asked}; esta es la respuesta extractiva.",
        "fr": "Le modèle de langue a répondu en {written}, pas en {asked} ; voici la réponse extractive.",
        "ru": "Языковая модель ответила на языке «{written}», а не «{asked}»; ниже — извлечённый ответ.",
        "ar": "أجاب النموذج اللغوي باللغة {written} لا باللغة {asked}؛ وهذه هي الإجابة المستخرجة.",
    },
    "flagged": {
        "en": "{n} of {total} sentences of this answer are not supported by the passages they cite; check them against the sources.",
        "zh": "本回答的 {total} 个句子中有 {n} 个没有得到所引段落的支持；请对照来源核实。",
        "es": "{n} de las {total} frases de esta respuesta no están respaldadas por los pasajes que citan; compruébelas con las fuentes.",
        "fr": "{n} des {total} phrases de cette réponse ne sont pas étayées par les passages qu'elles citent ; vérifiez-les dans les sources.",
        "ru": "{n} из {total} предложений этого ответа не подтверждаются цитируемыми фрагментами; сверьте их с источниками.",
        "ar": "{n} من أصل {total} جمل في هذه الإجابة لا تدعمها المقاطع التي تستشهد بها؛ يُرجى التحقق منها في المصادر.",
    },
}
