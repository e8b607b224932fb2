"""Prompt and generation speed of a GGUF model run in-process (``python -m assistant.bench.llm``).

An LLM answer's wait is the prompt (the passages, read at the prompt speed) plus the
answer (written at the generation speed): the two figures a field team needs to pick a
model and ``top_k`` for their laptop. The prompt is the real answer prompt over passages
of the bundled corpus's size; the model's context is reset before every run so no
cached prefix flatters the prompt speed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from assistant.answering.llm_local import require_llama_cpp

__all__ = ["measure", "main"]

_PASSAGE = (
    "Parties are urged to restore degraded natural and semi-natural ecosystems, including in"
    " urban environments, as a contribution to reversing the loss of biodiversity, recovering"
    " connectivity, improving ecosystem resilience and enhancing the provision of ecosystem"
    " services, mitigating and adapting to climate change, combating desertification and land"
    " degradation, and improving human well-being while reducing environmental risks. "
)


def _prompt(passages: int) -> list[dict[str, str]]:
    from assistant.answering.llm_prompts import ANSWER_PROMPT, load_prompt

    blocks = "\n\n".join(
        f'<passage n="{n}" title="Decision XI/16">\n{_PASSAGE * 2}\n</passage>'
        for n in range(1, passages + 1)
    )
    prompt = load_prompt(ANSWER_PROMPT)
    values = {
        "language": "English",
        "refusal": "The passages do not answer this question.",
        "count": str(passages),
        "passages": blocks,
        "question": "What are Parties urged to restore?",
    }
    return [
        {"role": "system", "content": prompt.system.format_map(values)},
        {"role": "user", "content": prompt.user.format_map(values)},
    ]


def measure(
    model_path: Path, *, threads: int = 2, context: int = 4096, passages: int = 5,
    max_tokens: int = 64, repeat: int = 3,
) -> dict[str, Any]:  # fmt: skip
    """Time ``repeat`` answers: prompt tokens/s up to the first token, then generated tokens/s."""
    llama_cpp = require_llama_cpp()
    llm = llama_cpp.Llama(
        model_path=str(model_path), n_threads=threads, n_ctx=context, verbose=False
    )
    messages = _prompt(passages)
    runs = []
    for _ in range(repeat):
        llm.reset()
        started = time.perf_counter()
        first = None
        generated = 0
        for part in llm.create_chat_completion(
            messages=messages, stream=True, max_tokens=max_tokens, temperature=0.0
        ):
            if part["choices"][0].get("delta", {}).get("content"):
                first = first or time.perf_counter()
                generated += 1
        ended = time.perf_counter()
        prompt_tokens = llm.n_tokens - generated
        if first is None or generated < 2:
            continue
        runs.append(
            {
                "prompt_tokens": prompt_tokens,
                "generated_tokens": generated,
                "first_token_ms": round((first - started) * 1000, 1),
                "prompt_tokens_per_s": round(prompt_tokens / (first - started), 1),
                "generation_tokens_per_s": round((generated - 1) / (ended - first), 1),
            }
        )
    keys = ("first_token_ms", "prompt_tokens_per_s", "generation_tokens_per_s")
    median = {k: statistics.median(r[k] for r in runs) for k in keys} if runs else {}
    return {
        "model": model_path.name, "threads": threads, "context": context,
        "passages": passages, "runs": runs, "median": median,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Print the measurement as JSON (and write it to ``--out`` when given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_path", type=Path, help="GGUF model file")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--context", type=int, default=4096)
    parser.add_argument("--passages", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    result = measure(
        args.model_path, threads=args.threads, context=args.context, passages=args.passages,
        max_tokens=args.max_tokens, repeat=args.repeat,
    )  # fmt: skip
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
