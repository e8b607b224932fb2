"""What kind of answer a question asks for (an amount of a kind, a list), and whether a text gives one.

Shared by retrieval (among close passages, those of the asked kind come first), the
premise checks (no close passage states the asked kind of amount: refuse) and the
extractive composer (a sentence stating the amount, or a list quoted whole, is preferred).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from assistant.language.cues import OPEN_QUESTION
from assistant.language.numbers import in_digits
from assistant.language.scripts import HAN_CHAR
from assistant.language.sentences import split_sentences

__all__ = [
    "asked_count",
    "asked_figure",
    "asked_per",
    "asks_list",
    "counted_words",
    "asks_number",
    "is_list",
    "question_parts",
    "states_count",
    "states_figure",
    "states_per",
]

# Questions about a quantity of any kind, in the languages the eval sets use.
_QUANTITY = re.compile(
    r"\bhow (?:many|much|far|long|large)\b|\bwhat (?:share|percentage|proportion|area|rate|amount)\b"
    r"|\bcu[aá]nt[oa]s?\b|\bcombien\b|\bquelle (?:superficie|part)\b|多少|几|多大|多长|多久|比例",
    re.IGNORECASE,
)
# A year still to come (a forecast's horizon).
_FUTURE_YEAR = r"(?:202[7-9]|20[3-9]\d|2[1-9]\d\d)\b"
# Currencies named by their unit, in English ("in Nepali rupees", "50,000 CFA francs").
_CURRENCY_UNITS = r"rupees|yen|francs|pesos|reais|rubles|roubles|shillings|dinars|dirhams|rand|naira|birr|CFA francs"
# What a question asks an amount of, and what a passage's statement of one looks like.
_FIGURES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "area": (
        re.compile(
            r"\bhow many (?:hectares|ha|acres|square kilomet)|\bwhat area\b|\bhow large an area\b"
            r"|多少(?:公顷|亩|平方公里)|面积[^？?]{0,12}多少|cu[aá]ntas hect[aá]reas|combien d'hectares"
            r"|quelle superficie"
            r"|сколько (?:гектаров|га\b|квадратных километров)|какая площадь|какую площадь"
            r"|كم (?:هكتار|كيلومتر مربع)|ما (?:هي )?(?:ال)?مساحة",
            re.IGNORECASE,
        ),
        re.compile(
            r"\d[\d,.]*\s*(?:million |billion )?(?:ha\b|hectares?|km²|km2|square kilomet|acres?)"
            r"|\d\s*(?:万|亿)?\s*(?:公顷|亩|平方公里)",
            re.IGNORECASE,
        ),
    ),
    "money": (
        re.compile(
            r"\bhow much money\b|\bhow much (?:was|is|did|does|would|will)\b[^?]{0,40}"
            r"\b(?:cost|invest|spen[dt]|pa(?:y|id)|need)"
            r"|\bwhat (?:is|was|are|were) the (?:\w+ ){0,3}price\b|\bprice (?:of|per)\b"
            # "What did it cost (to restore, per hectare, in total)?": "cost" the verb, not
            # a noun before another ("what does the cost layer represent?").
            r"|\bwhat (?:did|does|would|will) [^?]{0,30}\bcost(?=\s*(?:[?.,;]|$)|\s+(?:to|per|in|for|each|a|an|us"
            r"|them|overall|altogether|about|around|roughly|approximately)\b)"
            r"|\bwhat fines?\b|qu(?:é|elles?) (?:multas|amendes)|罚款"
            r"|多少(?:美元|钱|资金|元)|出资多少|combien d'argent|cu[aá]nto dinero|quel (?:prix|co[uû]t)"
            # A budget asked for is an amount of money.
            r"|\b(?:what|how (?:much|large|big)) (?:is|was|are|were) (?:the |its |their )?(?:\w+ ){0,3}budgets?\b"
            r"|预算(?:是|有|为)?多少|cu[aá]l (?:es|era|fue) el presupuesto|quel (?:est|[ée]tait) le budget"
            r"|как(?:ой|ов) (?:был |будет )?(?!процент)(?:\w+ )?бюджет|ما (?:هي )?(?:\w+ )?(?:ال)?ميزانية"
            r"|сколько (?:денег|долларов|(?:\w+ ){0,2}(?:стоил[аио]?|стоит|стоят|стоило))|какова стоимость"
            r"|كم (?:تكلف|كلف|دولار|من المال)|ما (?:هي )?(?:ال)?تكلفة"
            r"|كم (?:تبلغ|بلغت|هي|كانت|كان) (?:ال)?(?:ميزانية|تكلفة|تكاليف)"
            # The currency the amount is wanted in: "in US dollars", "in Nepali rupees", "en
            # euros", "بالدولار"; or counted in it: "how many US dollars".
            rf"|\bin (?:US |U\.S\. |\w+ )?(?:dollars|euros|pounds(?: sterling)?|USD|EUR|{_CURRENCY_UNITS})\b|\ben (?:dólares|euros|libras)\b"
            rf"|\bhow many (?:US |U\.S\. |\w+ )?(?:dollars|euros|{_CURRENCY_UNITS})\b"
            r"|\ben (?:dollars|euros|livres|roupies|yuans?|roubles|francs|shillings)\b"
            r"|\ben (?:rupias|yuanes|rublos|francos|chelines|reales|pesos)\b"
            r"|(?<!\w)в (?:долларах|евро|фунтах|рублях|рупиях|юанях|франках)(?!\w)|以?(?:美元|欧元|英镑|卢比|人民币)计"
            r"|(?:بالدولار|باليورو|بالجنيه|بالروبية|باليوان)"
            # The amount of money named as such: "quel montant", "qué monto", "какая сумма", "金额".
            r"|\bquel (?:est |était )?(?:le )?montant\b|\bqu[eé] monto\b|\bcu[aá]l (?:es|era|fue) el monto\b"
            r"|(?<!\w)как(?:ая|ую|ова) (?:\w+ )?сумм\w*|金额(?:是|有|为)?多少|ما (?:هو )?(?:ال)?مبلغ",
            re.IGNORECASE,
        ),
        re.compile(
            r"(?:USD|US\$|\$|GBP|EUR|€|£|¥)\s*\d|\d[\d,.]*\s*(?:million |billion |thousand )?"
            rf"(?:yuan|dollars|euros?|pounds|{_CURRENCY_UNITS}|美元|元|欧元)"
            r"|\d\s*(?:%|per ?cent)\s+of\s+(?:\w+\s+){0,3}(?:GDP|gross (?:domestic |world )?product|income|budget|output)",
            re.IGNORECASE,
        ),
    ),
    "percent": (
        re.compile(
            r"\bwhat (?:share|percentage|proportion)\b|\bwhat [\w\s-]{0,25}\brate\b|比例|百分之多少"
            r"|quel pourcentage|quelle part|qu[eé] porcentaje|qu[eé] proporci[oó]n"
            # A rate asked for, as "what … rate" in English.
            r"|\bquel(?:le)? (?:est |était |a été )?(?:le |la )?taux\b|\bqu[eé] tasa\b|\bcu[aá]l (?:es|era|fue) la tasa\b"
            r"|как(?:ой|ая|ую|ов) (?:\w+ )?(?:уровень|дол[яи])|(?:成活|存活|死亡|覆盖)率(?:是|有|为)?多少|ما (?:هو )?(?:ال)?معدل"
            r"|как(?:ой|ая|ую) (?:\w+ )?(?:процент|дол[яю])|сколько процентов|ما (?:هي )?(?:ال)?نسبة|كم (?:ال)?نسبة",
            re.IGNORECASE,
        ),
        re.compile(
            r"\d\s*(?:%|％|٪|per ?cent|percent|pour cent|por ciento|процент|في المائة)|百分之|\d\s*成", re.IGNORECASE
        ),
    ),
    "dose": (
        re.compile(
            r"\bdos(?:age|es?|is)\b|\bapplication rate\b|\bhow much [\w\s-]{0,30}\bper (?:hectare|ha|litre|liter)\b"
            r"|剂量|用量|施用量|\bdosis\b|\bdosage\b|доз[аыуе]|норм[аыу] внесения|جرعة",
            re.IGNORECASE,
        ),
        re.compile(
            r"\d\s*(?:mg|g|kg|ml|l|litres?|liters?|oz)\s*(?:/|per |a )\s*(?:ha\b|hectare|acre|m²|m2|l\b|litre|liter|plant|tree)"
            r"|\d\s*(?:毫克|克|千克|公斤|毫升|升)\s*/?\s*(?:每)?\s*(?:公顷|亩|升)",
            re.IGNORECASE,
        ),
    ),
    "contact": (
        re.compile(
            r"\b(?:phone|mobile|telephone|fax)(?: number)?\b|\be-?mail(?: address)?\b|\bhome address\b"
            r"|电话|手机|邮箱|电子邮件|住址|\bt[eé]l[eé]fono\b|\bcorreo\b|\bt[eé]l[eé]phone\b|\bcourriel\b"
            r"|телефон|почт[аыу]|адрес|هاتف|البريد",
            re.IGNORECASE,
        ),
        re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()-]{7,}\d"),
    ),
    "mass": (
        re.compile(
            r"\bhow many (?:(?:metric |million |billion )?(?:tonnes|tons|kilo(?:gram)?s|kg)|gigatonnes|megatonnes)\b"
            r"|多少(?:万|亿)?(?:吨|千克|公斤)|cu[aá]ntas (?:toneladas|kilos|kilogramos)|combien de (?:tonnes|kilos|kilogrammes)"
            r"|сколько (?:тонн|килограмм)|كم (?:طن|كيلوغرام)",
            re.IGNORECASE,
        ),
        re.compile(
            r"\d[\d,.]*\s*(?:million |billion |thousand )?(?:tonnes?|tons?|t\b|kg\b|kilograms?|Mt\b|Gt\b|gigatonnes?|megatonnes?)"
            r"|\d\s*(?:万|亿)?\s*(?:吨|千克|公斤)|\d[\d\s.,]*\s*(?:toneladas|тонн|طن)",
            re.IGNORECASE,
        ),
    ),
    # A forecast: what will happen, by when, if a trend goes on. Grammar of the future and
    # of conjecture (closed classes), not topics; a passage answers only with a projection.
    "forecast": (
        re.compile(
            rf"\bwill\b[^?.]{{0,80}}\b(?:by|in|before)\s+{_FUTURE_YEAR}|\b(?:if|at)\b[^?.]{{0,60}}\b(?:keeps? up|continues?|goes on|this rate|current rate)\b"
            r"|\b(?:predict|forecast|extrapolat)\w*|\bwhat would happen\b"
            r"|照(?:现在|目前|这个)的?(?:速度|趋势)|(?:能不能|能否|会不会)[^？?]{0,20}(?:在|到)\s*\d{4}\s*年|预测|估计一下"
            r"|(?:在|到)\s*(?:202[7-9]|20[3-9]\d)\s*年[^？?。]{0,30}(?:能不能|能否|会不会|能|会)[^？?。]{0,30}吗"
            # Spanish and French future tense: the endings (-rá, -rán; -ra, -ront), with a year to come.
            rf"|\b\w+r(?:á|án|ás)\b[^?]{{0,60}}{_FUTURE_YEAR}|\bcrees? (?:usted )?que\b|\bal ritmo actual\b|pron[oó]stic|predec"
            rf"|\b(?:\w+(?:ra-t-(?:il|elle|on)|ront-(?:ils|elles))|sera|seront|aura|auront|atteindra|atteindront"
            rf"|restera|resteront)\b[^?]{{0,60}}{_FUTURE_YEAR}"
            rf"|\bpensez-vous que\b|\bà ce rythme\b|pr[ée]vision|pr[ée]di[rs]"
            rf"|\b(?:будет|будут|достигнет|останется|останутся)\b[^?]{{0,60}}{_FUTURE_YEAR}|такими темпами|прогноз|как вы думаете"
            rf"|(?:هل سي|سوف)[^؟?]{{0,60}}{_FUTURE_YEAR}|توقع"
            # A condition and the future or conditional in one sentence ("If it rewets …, by
            # how much will emissions drop?"); a span of time from now ("dans dix ans",
            # "через десять лет", not "через десять лет после…"); an estimate asked of the
            # assistant ("in your opinion", "برأيك"). Chinese "十年后" and "如果…会" also
            # speak of the past and of causes ("为什么会退化"), so they are left out.
            r"|\bif\b[^?.]{0,100}\b(?:will|would)\b|\b(?:will|would)\b[^?.]{0,100}\bif\b"
            r"|\b(?:do|would) you (?:think|expect|estimate|guess|reckon)\b|\byour (?:estimate|guess|opinion)\b"
            r"|(?<!\w)через\s+(?:\d+|\w+)\s+(?:лет|год|года)(?!\w)(?!\s+после)|(?<!\w)если\b[^?]{0,100}(?:будет|будут|\w+(?:ут|ют|ит|ет))\b"
            r"|по-вашему|по вашему мнению"
            rf"|(?<!\w)س[يتنأ]\w{{2,}}[^؟?]{{0,60}}{_FUTURE_YEAR}|برأيك|في رأيك|(?<!\w)(?:إذا|لو)(?!\w)[^؟?]{{0,100}}(?<!\w)س[يتنأ]\w{{2,}}"
            r"|\bdentro de (?:\d+|\w+) años\b|\ben su opini[oó]n\b|\bsi\b[^?]{0,100}\b\w+r(?:á|án)\b"
            r"|\bdans (?:\d+|\w+) ans\b|\bà votre avis\b|\bselon vous\b|\bsi\b[^?]{0,100}\b(?:sera|seront|aura|auront|\w+ra|\w+ront)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"\b(?:projected|projections?|expected to|forecasts?|predicted|predictions?|likely to|on track)\b"
            r"|预计|预测|有望|se (?:espera|prev[eé])|previsto|prevista|pr[ée]vu|devrait|ожида\w*|прогноз\w*|يتوقع|من المتوقع",
            re.IGNORECASE,
        ),
    ),
    # A length, depth or height, asked by its unit or by a measure that is only a length
    # ("how deep", "what depth"); "how long" also asks a duration, so it is left out.
    "length": (
        re.compile(
            r"\bhow many (?:kilomet(?:re|er)s|km|miles|met(?:re|er)s|feet|centimet(?:re|er)s|cm)\b"
            r"|\bhow (?:far|deep|high|tall|wide)\b|\bwhat (?:length|depth|height|width|distance)\b"
            r"|多少(?:米|公里|千米|厘米|英里)|多(?:深|高|宽|远)"
            r"|cu[aá]ntos (?:metros|kil[oó]metros|cent[ií]metros)|qu[eé] (?:profundidad|altura|longitud|distancia)"
            r"|combien de (?:m[eè]tres|kilom[eè]tres|centim[eè]tres)|quelle (?:profondeur|hauteur|longueur|distance)"
            r"|сколько (?:метров|километров|сантиметров)|на сколько метров|какова (?:глубина|высота|длина)"
            r"|كم (?:مترا|متر|كيلومترا|كيلومتر)|ما (?:هو |هي )?(?:ال)?(?:عمق|ارتفاع|طول|مسافة)",
            re.IGNORECASE,
        ),
        re.compile(
            r"\d[\d,.]*\s*(?:km\b|kilomet|met(?:re|er)s?\b|m\b|miles?\b|mi\b|feet\b|foot\b|ft\b|cm\b|centimet|mm\b)"
            r"|\d\s*(?:米|公里|千米|厘米|英里)|\d[\d\s.,]*\s*(?:метр|километр|сантиметр|مترا?|كيلومتر)",
            re.IGNORECASE,
        ),
    ),
    "date": (
        re.compile(
            r"\bin (?:what|which) year\b|\bwhat date\b|\bon what date\b|哪一年|哪年|什么日期"
            r"|\ben qu[eé] (?:año|fecha)\b|\ben quelle ann[ée]e\b|\bà quelle date\b|в каком году|في أي عام",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:1[89]|20)\d\d\b|\d{4}\s*年"),
    ),
}


def asks_number(question: str) -> bool:
    """Whether a question asks "how many/how much/多少…" (a figure of any kind)."""
    return bool(_QUANTITY.search(question))


@lru_cache(maxsize=1024)
def asked_figure(question: str) -> str | None:
    """Return the kind of figure a question asks for ("area", "money", "mass", "forecast", "date", …).

    Words in brackets name or gloss something ("indicator 10.1 (proportion of
    agricultural area…)"); they are not what is asked. Kept per question: each stage
    after retrieval asks again.
    """
    asked = _NAMED.sub(" ", question)
    for kind, (asks, _) in _FIGURES.items():
        if asks.search(asked):
            return kind
    return None


# A span in brackets, Latin or full-width.
_NAMED = re.compile(r"\([^()]*\)|（[^（）]*）")


def states_figure(text: str, kind: str) -> bool:
    """Whether ``text`` states an amount of ``kind``, in digits or in words ("two million hectares").

    Words are read only when the digits state no such amount (text2num writes "2 million"
    as "2 1000000").
    """
    stated = _FIGURES[kind][1]
    if stated.search(text):
        return True
    return kind in _AMOUNTS and bool(stated.search(in_digits(text)))


# Kinds of figure that are amounts (a number of units); a phone number or a date is not
# written in words.
_AMOUNTS = frozenset({"area", "money", "percent", "dose", "mass"})


# An amount asked per unit ("how many tonnes a year", "每公顷的成本", "par an"), and how a
# passage states one ("USD 20 per hectare", "4 t/ha", "each year", "每年"). A total does not
# answer a rate: 200 million trees is no number of trees a year.
_PER_ASKED = {
    "year": (
        r"\b(?:per year|a year|each year|every year|annual(?:ly)?|yearly|per annum)\b|每年|年均|每一年"
        r"|\b(?:al año|por año|anual(?:es|mente)?|cada año|par an|annuel(?:le)?s?|chaque année)\b"
        r"|(?<!\w)(?:в год|ежегодн\w*|за год)(?!\w)|سنوي|في السنة|كل عام"
    ),
    "hectare": (
        r"\b(?:per hectare|per ha|a hectare|por hectárea|par hectare|à l'hectare)\b|每公顷|每亩"
        r"|(?<!\w)(?:на гектар|за гектар|на 1 га)(?!\w)|للهكتار|لكل هكتار"
    ),
}
_PER = {unit: re.compile(pattern, re.IGNORECASE) for unit, pattern in _PER_ASKED.items()}
_PER_STATED = {
    "year": re.compile(
        _PER_ASKED["year"] + r"|/\s*(?:yr|year|an|año|год)\b|\b(?:yr|a)-1\b|\bannum\b", re.IGNORECASE
    ),
    "hectare": re.compile(_PER_ASKED["hectare"] + r"|/\s*(?:ha|hectare|га)\b|\bha-1\b|ha⁻¹", re.IGNORECASE),
}
_DIGIT = re.compile(r"\d")


def asked_per(question: str) -> str | None:
    """Return the unit an asked amount is per ("year", "hectare"), if the question asks a rate."""
    if not (asks_number(question) or asked_figure(question)):
        return None
    return next((unit for unit, pattern in _PER.items() if pattern.search(question)), None)


def states_per(text: str, unit: str) -> bool:
    """Whether ``text`` states an amount per ``unit`` (a figure and the unit's wording)."""
    return bool(_DIGIT.search(text) and _PER_STATED[unit].search(text))


# "How many jobs…", "¿cuántos empleos…", "combien de familles…", "сколько семей…", "كم عدد
# الأسر…", "the number of frames": a count of a thing the question names. The word after the interrogative is the
# thing counted; a second one is kept when it is no auxiliary or preposition ("how many
# check dams", not "how many jobs has"). Closed classes, per language. Chinese counts its
# things with a measure word: "多少个国家", "几名项目官员" (the noun is the first word jieba
# cuts after it); an amount with a unit ("多少公顷") is a figure kind above.
_COUNT_ASKED = re.compile(
    r"\bhow many\s+(?:more\s+|new\s+|of\s+(?:the|its|their|these|those)\s+)?(?P<w1>[^\W\d_]{3,})(?:\s+(?P<w2>[^\W\d_]{3,}))?"
    r"|\bcu[aá]nt[oa]s\s+(?P<es1>[^\W\d_]{3,})(?:\s+(?P<es2>[^\W\d_]{3,}))?"
    r"|\bcombien\s+(?:de\s+|d['’])(?P<fr1>[^\W\d_]{3,})"
    r"|(?<!\w)(?<!во )сколько\s+(?P<ru1>[^\W\d_]{3,})"
    r"|(?<!\w)كم\s+(?:عدد\s+)?(?P<ar1>[^\W\d_]{3,})"
    # The noun of a count, as a search phrase asks one ("reef stars number of frames"):
    # "number of", "número de", "nombre de", "количество", "число", "عدد"; not the
    # quantifiers "a number of", "a large number of", "un gran número de", "un certain nombre de".
    r"|(?<!\ba )(?<!large )(?<!great )(?<!growing )(?<!small )"
    r"\bnumber\s+of\s+(?:the\s+)?(?P<n1>[^\W\d_]{3,})(?:\s+(?P<n2>[^\W\d_]{3,}))?"
    r"|(?<!\bun )(?<!gran )\bn[úu]mero\s+(?:total\s+)?de\s+(?:los\s+|las\s+)?(?P<nes1>[^\W\d_]{3,})"
    r"|(?<!\bun )(?<!grand )(?<!certain )\bnombre\s+(?:total\s+)?(?:de\s+|d['’])(?P<nfr1>[^\W\d_]{3,})"
    r"|(?<!\w)(?:количеств[оа]|числ[оа])\s+(?P<nru1>[^\W\d_]{3,})"
    r"|(?<!\w)عدد\s+(?P<nar1>[^\W\d_]{3,})"
    r"|(?:多少|几)(?:个|名|位|家|座|种|项|条|只|棵|株|户|所|处|片|块|批|份|篇|头)(?![了的呢吗吧啊])(?P<zh1>[\u4e00-\u9fff]{1,8})",
    re.IGNORECASE,
)
_NOT_COUNTED = re.compile(
    r"(?:have|has|had|did|does|do|is|are|was|were|will|would|can|could|should|been|there|in|of|on|at|by"
    r"|for|to|from|under|with|ha|han|hay|se|de|en|del|por|para|con|fueron|fue|son|es|habrá|habían)",
    re.IGNORECASE,
)
# An English past participle after the thing counted says what was done to it ("number of
# frames installed"), it does not name it ("check dams", "tree seed" stay).
_PARTICIPLE = re.compile(r"\w{2,}[^\We]ed", re.IGNORECASE)
# A number: digits, or a cardinal written out (closed classes of the six languages' scripts).
_NUMBER_WORD = re.compile(
    r"\d|^(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty"
    r"|fifty|hundreds?|thousands?|millions?|billions?|dozens?|dos|tres|cuatro|cinco|seis|siete|ocho|nueve"
    r"|diez|cien|mil|millones|deux|trois|quatre|cinq|sept|huit|neuf|dix|cent|mille|два|две|три|четыре|пять"
    r"|шесть|семь|восемь|девять|десять|сто|тысяч\w*|миллион\w*)$",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\d[\d,.\s]*\d|\d|[^\W\d_]+")
_YEAR = re.compile(r"1[89]\d\d|2[01]\d\d")
# How near a number the thing counted must be: "more than 600,000 households", "1,000
# check dams", "households reached: 600,000".
_COUNT_WINDOW = 4


def asked_count(question: str) -> tuple[str, list[str]] | None:
    """Return the phrase asking a count and the words naming what is counted.

    "How many jobs has it created?" → ("How many jobs", ["jobs"]); "how many check dams
    were built" → ("how many check dams", ["check", "dams"]).
    """
    match = _COUNT_ASKED.search(question)
    if match is None:
        return None
    found = [(name, word) for name, word in match.groupdict().items() if word]
    if found[0][0] == "zh1":
        import rjieba

        noun = next(iter(rjieba.cut(found[0][1])))
        return question[match.start() : match.start("zh1") + len(noun)], [noun]
    if len(found) > 1 and (_NOT_COUNTED.fullmatch(found[1][1]) or _PARTICIPLE.fullmatch(found[1][1])):
        found = found[:1]
    end = match.end(found[-1][0])
    return question[match.start() : end], [word for _, word in found]


def states_count(text: str, counted: list[str], stem: Callable[[str], list[str]]) -> bool:
    """Whether ``text`` states a number within a few words of a thing in ``counted``.

    Words are compared by ``stem`` (the lexical index's tokenizer: Snowball stems).
    """
    wanted = [set(stem(word)) for word in counted]
    wanted = [w for w in wanted if w]
    if not wanted:
        return True  # nothing to look for: no evidence against the passage
    for window in _number_windows(text):
        stems = {s for word in window for s in stem(word)}
        if all(w & stems for w in wanted):
            return True
    return False


def _number_windows(text: str) -> Iterator[list[str]]:
    """The words within a few words of each number of ``text`` (a year is no count)."""
    for sentence in split_sentences(text):
        tokens = _TOKEN.findall(sentence)
        for i, token in enumerate(tokens):
            if _NUMBER_WORD.search(token) and not _YEAR.fullmatch(token):
                yield tokens[max(0, i - _COUNT_WINDOW) : i + _COUNT_WINDOW + 1]


def counted_words(text: str) -> set[str]:
    """The words of ``text`` within a few words of a number: what the text counts, as written.

    A year dates something; it counts nothing ("canals. In late 2014…").
    """
    return {word for window in _number_windows(text) for word in window}


# A question whose answer is several things: "which organisations…", "what are the six
# principles…", "哪些", "quelles mesures", "¿qué factores", "какие". A singular "which
# resolution…" asks for one thing, so "which"/"what are" must lead to a plural word.
_LIST_ASKED = re.compile(
    # The words run to a plural before any auxiliary ("which report was the basis" asks
    # one thing), and an acronym in -s is no plural ("the IPBES"), nor a verb before its
    # object's article.
    r"\b(?:which|what (?:are|were)(?: the)?)\s+(?:(?!(?:was|is|are|were|has|have|does|do|did)\b)[\w'’-]+\s+){0,3}?"
    r"(?!(?:was|is|has|does|this|its|us|as)\b)(?!(?-i:[A-Z]{2,})\b)[\w'’-]*\w{2,}s\b"
    # A word in -s before an article is a verb ("which indicator tracks the area").
    r"(?!\s+(?:the|a|an|its|their|this|these|those|each|every)\b)"
    r"|\blist\b|\bname the\b|哪些|\bquel(?:le)?s\s+\w+s\b|\bcu[aá]les\b|\bqu[eé]\s+\w+(?:es|s)\b|\bкакие\b"
    # Lessons, barriers and success factors come as lists too.
    r"|\blessons?\b|\bbarriers?\b|\bobstacles?\b|\bstands? in the way\b|\bwhat made\b[^?]{0,80}\bsucc?eed"
    r"|\bsuccess factors?\b|\ble[cç]ons?\b|\blecciones|obst[aá]culos|障碍|阻碍|经验教训|成功因素",
    re.IGNORECASE,
)
# A list item: "- text", "* text", "1) text" or "1. text" at the start of a line.
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)


def asks_list(question: str) -> bool:
    """Whether a question asks for several things (its answer is a list)."""
    return bool(_LIST_ASKED.search(question))


def is_list(text: str) -> bool:
    """Whether ``text`` holds a list (two items or more)."""
    return len(_LIST_ITEM.findall(text)) >= 2


# Where a question that asks several things passes to its next ask: a question mark, or a
# comma or "and" before an interrogative word (closed classes, per language).
_NEXT_ASK = re.compile(
    r"(?<=[?？؟])\s*"
    # An ask may open with a preposition: "…, and by how many metres…", "y en qué año".
    r"|(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?=(?:(?:by|to|in|for|from|with|at|on)\s+)?"
    r"(?:how|what|when|where|who|whom|which|why|is|are|was|were|does|did|do)\b)"
    r"|(?:,\s*(?:y\s+)?|\s+y\s+)(?=(?:(?:en|por|de|a|para|con|desde)\s+)?"
    r"(?:c[oó]mo|qu[eé]|cu[aá]nt[oa]s?|cu[aá]ndo|d[oó]nde|qui[eé]n(?:es)?|cu[aá]l(?:es)?)\b)"
    r"|(?:,\s*(?:et\s+)?|\s+et\s+)(?=(?:(?:en|par|de|à|pour|avec|depuis)\s+)?"
    r"(?:comment|quel(?:le)?s?|combien|quand|où|qui|pourquoi)\b)"
    r"|(?:,\s*(?:и\s+|а\s+)?|\s+и\s+)(?=(?:(?:в|на|по|с|к|за|для|до)\s+)?"
    r"(?:как|что|сколько|когда|где|кто|почему|как(?:ой|ая|ое|ие|им|ом))(?!\w))"
    r"|\s+و(?=(?:كم|ما|كيف|متى|أين|من|هل)(?!\w))",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """Split a question that asks several things into its asks, in order.

    "When was it launched, is it binding, and how much CO2 would it avoid?" has three;
    a question that asks one thing is one part. A piece of fewer than two words (a lone
    "why?", "是多少？") stays with the ask before it.
    """
    parts: list[str] = []
    for piece in _NEXT_ASK.split(question):
        piece = (piece or "").strip(" ,;")
        if not piece:
            continue
        if parts and _words(piece) < 2:
            parts[-1] = f"{parts[-1]} {piece}"
        elif len(parts) == 1 and not _INTERROGATIVE.search(parts[0]):
            parts[0] = f"{parts[0]}, {piece}"  # "For the Kissimmee, by how many tonnes…": one ask
        else:
            parts.append(piece)
    return parts


# An interrogative word or particle: a piece of a question without one asks nothing itself.
# The open-question words (language.cues), plus what marks a yes/no question or a count.
_INTERROGATIVE = re.compile(
    OPEN_QUESTION.pattern
    + r"|\b(?:whom|is|are|was|were|does|did|do|can|could|will|would|should)\b"
    r"|\b(?:como|cu[aá]nt[oa]s?|cuando|donde|qui[eé]n(?:es)?|cual(?:es)?|qui|est-ce)\b|-(?:t-)?(?:il|elle|ils|elles|on)\b"
    r"|(?<!\w)(?:сколько|кто|какое|ли)(?!\w)|多少|几|吗|呢|是否|(?<!\w)(?:كم|من|هل)(?!\w)|[?？؟]",
    re.IGNORECASE,
)


def _words(text: str) -> int:
    """Count words: runs of letters, and two Chinese characters as one word."""
    han = len(HAN_CHAR.findall(text))
    return len(_LETTERS.findall(HAN_CHAR.sub(" ", text))) + han // 2


_LETTERS = re.compile(r"[^\W\d_]+")
