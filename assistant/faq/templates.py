"""Wording of FAQ questions, per language and audience.

Slots: ``action`` (a decision's operative sub-paragraph), ``actors`` (a chapeau with an
action), ``chapeau`` (a chapeau without one), ``preamble`` / ``preamble_that``
(recitals), ``case:*`` (case-study sections), ``heading`` and ``overview`` (guidance
briefs and other documents). Fields in braces come from the passage; ``{verb}``,
``{verb_pp}`` and ``{actor_plain}`` are the chapeau's verb and addressee. Each slot
lists phrasings in order of preference; the first is tried first.
"""

from __future__ import annotations

__all__ = ["AUDIENCES", "TEMPLATES"]

AUDIENCES = ("practitioners", "policymakers", "communities")

_EN: dict[str, dict[str, tuple[str, ...]]] = {
    "practitioners": {
        "action": (
            "What does decision {symbol} {verb} {actor} to do about {key}?",
            "How does decision {symbol} expect {actor} to go about {key}?",
        ),
        "actors": ("Whom does decision {symbol} {verb} to {key}?",),
        "chapeau": ("What does paragraph {paragraph} of decision {symbol} {verb} {actor} to do?",),
        "preamble": ("What does decision {symbol} {verb} about {key}?",),
        "preamble_that": ("What does decision {symbol} {verb} that {key}?",),
        "case:overview": ("What is {title}?",),
        "case:context": ("What is the context of restoration in {place}?", "What is the setting of {title}?"),
        "case:drivers": ("What were the drivers of degradation in {place}?", "What drove degradation in {title}?"),
        "case:interventions": (
            "What restoration interventions were used in {place}?",
            "What interventions were used in {title}?",
        ),
        "case:scale": (
            "What was the scale and timeline of restoration in {place}?",
            "How large was {title}, and over what period?",
        ),
        "case:costs": ("What were the costs of restoration in {place}?", "What did {title} cost?"),
        "case:outcomes": (
            "What were the measured outcomes of restoration in {place}?",
            "What outcomes were measured in {title}?",
        ),
        "case:communities": (
            "What role did indigenous peoples and local communities play in restoration in {place}?",
            "What role did indigenous peoples and local communities play in {title}?",
        ),
        "case:lessons": (
            "What lessons were learned from restoration in {place}?",
            "What lessons does {title} offer practitioners?",
        ),
        "heading": ("What does “{title}” say about {key}?",),
        "overview": ("What does “{title}” cover?",),
    },
    "policymakers": {
        "action": (
            "Under decision {symbol}, what are {actor} {verb_pp} to do on {key}?",
            "What does decision {symbol} {verb} {actor} to do about {key}?",
        ),
        "actors": ("Which governments and organizations does decision {symbol} {verb} to {key}?",),
        "chapeau": ("What commitments does paragraph {paragraph} of decision {symbol} ask of {actor}?",),
        "preamble": ("What does decision {symbol} {verb} about {key}, and why does it matter for policy?",),
        "preamble_that": ("What does decision {symbol} {verb} that {key}?",),
        "case:overview": ("What is {title}, and what policy supported it?",),
        "case:context": ("What was the policy and land-use context of restoration in {place}?",),
        "case:drivers": ("Which pressures and policies were the drivers of degradation in {place}?",),
        "case:interventions": ("Which programmes and interventions were used for restoration in {place}?",),
        "case:scale": ("At what scale and on what timeline did restoration in {place} operate?",),
        "case:costs": ("What were the costs of restoration in {place}, and who paid for them?",),
        "case:outcomes": ("What measured outcomes did restoration in {place} achieve?",),
        "case:communities": (
            "How were indigenous peoples and local communities involved in restoration in {place}?",
        ),
        "case:lessons": ("What lessons does restoration in {place} hold for policymakers?",),
        "heading": ("What does “{title}” tell policymakers about {key}?",),
        "overview": ("What does “{title}” cover?",),
    },
    "communities": {
        "action": (
            "What does decision {symbol} ask {actor_plain} to do about {key}?",
            "What does decision {symbol} {verb} {actor} to do about {key}?",
        ),
        "actors": ("Who is asked in decision {symbol} to {key}?",),
        "chapeau": ("What does paragraph {paragraph} of decision {symbol} ask {actor_plain} to do?",),
        "preamble": ("What does decision {symbol} say about {key}?",),
        "preamble_that": ("What does decision {symbol} say {key}?",),
        "case:overview": ("What happened in {title}?",),
        "case:context": ("Where did restoration in {place} take place, and what was the land like?",),
        "case:drivers": ("What were the main drivers of degradation of the land or water in {place}?",),
        "case:interventions": ("What did people do to restore nature in {place}?",),
        "case:scale": ("How big was restoration in {place}, and how long did it take?",),
        "case:costs": ("What were the costs of restoration in {place}?",),
        "case:outcomes": ("What changed for people and nature in {place}? What were the outcomes?",),
        "case:communities": ("What did local communities do for restoration in {place}?",),
        "case:lessons": ("What lessons can other communities learn from restoration in {place}?",),
        "heading": ("What does “{title}” say about {key}?",),
        "overview": ("What is “{title}” about?",),
    },
}
_ZH: dict[str, dict[str, tuple[str, ...]]] = {
    "practitioners": {
        "action": (
            "根据第{symbol}号决定，{actor}应如何{key}？",
            "第{symbol}号决定{verb}{actor}在{key}方面做什么？",
        ),
        "actors": ("第{symbol}号决定{verb}哪些方面{key}？",),
        "chapeau": ("第{symbol}号决定第{paragraph}段{verb}{actor}做什么？",),
        "preamble": ("关于{key}，第{symbol}号决定{verb}了什么？",),
        "preamble_that": ("第{symbol}号决定{verb}{key}？",),
        "case:overview": ("什么是{title}？",),
        "case:context": ("{title}的背景是什么？",),
        "case:drivers": ("{title}中造成退化的原因是什么？",),
        "case:interventions": ("{title}采取了哪些恢复措施？",),
        "case:scale": ("{title}的规模和时间跨度如何？",),
        "case:costs": ("{title}的成本是多少？",),
        "case:outcomes": ("{title}取得了哪些可衡量的成果？",),
        "case:communities": ("土著和地方社区在{title}中发挥了什么作用？",),
        "case:lessons": ("{title}有哪些经验教训？",),
        "heading": ("{title}关于{key}说了什么？",),
        "overview": ("{title}涵盖哪些内容？",),
    },
    "policymakers": {
        "action": (
            "第{symbol}号决定在{key}方面{verb}{actor}采取什么行动？",
            "根据第{symbol}号决定，{actor}应如何{key}？",
        ),
        "actors": ("第{symbol}号决定{verb}哪些政府和组织{key}？",),
        "chapeau": ("第{symbol}号决定第{paragraph}段要求{actor}作出哪些承诺？",),
        "preamble": ("关于{key}，第{symbol}号决定{verb}了什么？这对政策有何意义？",),
        "preamble_that": ("第{symbol}号决定{verb}{key}？",),
        "case:overview": ("什么是{title}？哪些政策支持了它？",),
        "case:context": ("{title}的政策和土地利用背景是什么？",),
        "case:drivers": ("哪些压力和政策导致了{title}中的退化？",),
        "case:interventions": ("{title}采用了哪些方案和措施？",),
        "case:scale": ("{title}的规模和时间跨度如何？",),
        "case:costs": ("{title}花费了多少，由谁出资？",),
        "case:outcomes": ("{title}取得了哪些成果？",),
        "case:communities": ("土著和地方社区如何参与{title}？",),
        "case:lessons": ("{title}对决策者有哪些启示？",),
        "heading": ("{title}关于{key}对决策者说了什么？",),
        "overview": ("{title}涵盖哪些内容？",),
    },
    "communities": {
        "action": (
            "第{symbol}号决定关于{key}要求{actor_plain}做什么？",
            "根据第{symbol}号决定，{actor}应如何{key}？",
        ),
        "actors": ("第{symbol}号决定请谁{key}？",),
        "chapeau": ("第{symbol}号决定第{paragraph}段要求{actor_plain}做什么？",),
        "preamble": ("关于{key}，第{symbol}号决定说了什么？",),
        "preamble_that": ("第{symbol}号决定{verb}{key}？",),
        "case:overview": ("{title}发生了什么？",),
        "case:context": ("{title}在哪里进行，当地土地状况如何？",),
        "case:drivers": ("{title}中土地或水体为什么会受损？",),
        "case:interventions": ("在{title}中，人们做了什么来恢复自然？",),
        "case:scale": ("{title}有多大，用了多长时间？",),
        "case:costs": ("{title}花了多少钱？",),
        "case:outcomes": ("{title}给人和自然带来了哪些变化？",),
        "case:communities": ("地方社区在{title}中做了什么？",),
        "case:lessons": ("其他社区可以从{title}学到什么？",),
        "heading": ("{title}关于{key}说了什么？",),
        "overview": ("{title}讲的是什么？",),
    },
}
_ES = {"heading": ("¿Qué dice «{title}» sobre {key}?",), "overview": ("¿Qué abarca «{title}»?",)}
_FR = {"heading": ("Que dit « {title} » à propos de {key} ?",), "overview": ("Que couvre « {title} » ?",)}
TEMPLATES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "en": _EN,
    "zh": _ZH,
    "es": {audience: _ES for audience in AUDIENCES},
    "fr": {audience: _FR for audience in AUDIENCES},
}
