"""From ranked passages to a cited answer.

From ranked passages to a cited answer: premise and evidence checks (refuse rather than
guess), the extractive composer (no LLM), the optional LLM composer with its prompts and
local llama.cpp model, verification of an LLM"s sentences against the passages, and the
condensation of follow-up questions.
"""

__all__ = [
    "condense",
    "crosslingual",
    "evidence",
    "intents",
    "extractive",
    "llm",
    "llm_client",
    "llm_local",
    "llm_prompts",
    "premises",
    "presence",
    "verification",
]
