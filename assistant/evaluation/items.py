"""Read and check eval sets: single questions and conversations, with their split.

The format is the design's *Eval set* contract, plus ``split`` (``dev`` or ``test``),
``adversarial_type`` for questions that must not be answered as if covered, ``turns``
for conversations, and ``page`` in gold references to paginated documents.
Parsing returns what is wrong with a line rather than raising, so ``--validate`` can
list every problem of a set in one pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assistant.core.errors import AssistantError

__all__ = [
    "ADVERSARIAL_TYPES",
    "CONVERSATION_KINDS",
    "SPLITS",
    "EvalItem",
    "EvalSetError",
    "SetProblem",
    "check_sets",
    "count_questions",
    "load_items",
    "read_ids",
    "select_items",
]

SPLITS = ("dev", "test")
# The types of ../shared/evals/adversarial-types.md ("Must not be answered as if covered").
ADVERSARIAL_TYPES = (
    "no-answer", "numerical-absent", "false-premise", "speculative", "opinion",
    "out-of-scope", "absent-case", "nonexistent-locator", "harmful", "jailbreak",
    "system-prompt", "personal-data", "bias", "nonsense",
)  # fmt: skip
CONVERSATION_KINDS = ("follow-up", "topic-switch", "language-switch", "reformulate")
# Feedback candidates await a reviewer, who gives them a split when adding them to a set.
UNREVIEWED_TAG = "needs-review"


@dataclass(frozen=True)
class EvalItem:
    """One eval question with its gold references and key facts (see DESIGN.md).

    A conversation is an item whose ``turns`` are items of their own, asked in order
    with the earlier turns as chat history; its ``question`` is empty.
    """

    id: str
    question: str
    language: str = "en"
    answerable: bool = True
    gold: tuple[dict[str, str], ...] = ()
    key_facts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    split: str = ""
    adversarial_type: str = ""
    turns: tuple[EvalItem, ...] = ()
    # Where the item came from (the set's file stem): provenance, not identity.
    set_name: str = field(default="", compare=False)


class EvalSetError(AssistantError):
    """An eval set line is malformed."""


def load_items(paths: Iterable[Path]) -> list[EvalItem]:
    """Read JSON Lines eval sets; raises :class:`EvalSetError` naming file and line."""
    items: list[EvalItem] = []
    for where, parsed in _scan(paths):
        if isinstance(parsed, str):
            raise EvalSetError(f"{where}: {parsed}")
        items.append(parsed)
    return items


def count_questions(items: Iterable[EvalItem]) -> int:
    """Count the questions the items ask: one per item, one per turn of a conversation."""
    return sum(len(item.turns) or 1 for item in items)


@dataclass(frozen=True)
class SetProblem:
    """One problem found in an eval set, at ``file:line``."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_sets(paths: Iterable[Path], store: Any | None = None) -> list[SetProblem]:
    """Find every format problem in the sets and, given a store, every gold reference it lacks.

    Besides the format, each reviewed item needs a ``split``. A gold entry must name a
    ``doc_id`` in the store; a ``paragraph``, ``locator`` or ``page`` it names must
    belong to a chunk of that document.
    """
    docs, places = _store_places(store) if store is not None else (set(), set())
    problems: list[SetProblem] = []
    for where, parsed in _scan(paths):
        if isinstance(parsed, str):
            problems.append(SetProblem(where, parsed))
            continue
        problems.extend(SetProblem(where, m) for m in _review_problems(parsed))
        if store is not None:
            for question in parsed.turns or (parsed,):
                problems.extend(
                    SetProblem(where, m) for m in _missing_gold(question, docs, places)
                )
    return problems


def _store_places(store: Any) -> tuple[set[str], set[tuple[str, str, str]]]:
    docs: set[str] = set()
    places: set[tuple[str, str, str]] = set()
    for page in store.pages(text=False):
        for record in page:
            meta = record.metadata
            doc_id = str(meta.get("doc_id", ""))
            docs.add(doc_id)
            for key in ("paragraph", "locator", "page"):
                if meta.get(key) not in (None, ""):
                    places.add((doc_id, key, str(meta[key])))
    return docs, places


def _review_problems(item: EvalItem) -> Iterator[str]:
    """Say what a reviewed item still lacks: its split, and a conversation's kind."""
    if UNREVIEWED_TAG in item.tags:
        return
    if item.split not in SPLITS:
        yield f"item '{item.id}': 'split' is required: 'dev' or 'test'"
    if item.turns and not set(item.tags) & set(CONVERSATION_KINDS):
        yield (
            f"conversation '{item.id}': its tags must name its kind: "
            + ", ".join(CONVERSATION_KINDS)
        )


def _missing_gold(
    item: EvalItem, docs: set[str], places: set[tuple[str, str, str]]
) -> Iterator[str]:
    for entry in item.gold:
        doc_id = entry["doc_id"]
        if doc_id not in docs:
            yield f"item '{item.id}': gold doc_id '{doc_id}' is not in the store"
            continue
        for key in ("paragraph", "locator", "page"):
            if key in entry and (doc_id, key, entry[key]) not in places:
                yield f"item '{item.id}': no chunk of '{doc_id}' has {key} '{entry[key]}'"


def _scan(paths: Iterable[Path]) -> Iterator[tuple[str, EvalItem | str]]:
    """Yield ``(file:line, item)`` for good lines and ``(file:line, problem)`` for bad ones."""
    seen: set[str] = set()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            yield str(path), f"cannot read ({getattr(e, 'strerror', None) or e})"
            continue
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            parsed = _parse_line(line, path.stem)
            if isinstance(parsed, EvalItem):
                if parsed.id in seen:
                    parsed = f"duplicate id '{parsed.id}'"
                else:
                    seen.add(parsed.id)
            yield where, parsed


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _parse_line(line: str, set_name: str) -> EvalItem | str:
    """Parse one JSON line into an item or a conversation, or return what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        return f"not valid JSON ({e.msg} at column {e.colno})"
    if isinstance(data, dict) and "turns" in data:
        return _parse_conversation(data, set_name)
    if not isinstance(data, dict) or not data.get("id") or not data.get("question"):
        return "each item needs an 'id' and a 'question'"
    return _parse_question(data, str(data["id"]), set_name)


def _parse_question(data: dict[str, Any], item_id: str, set_name: str) -> EvalItem | str:
    """Parse the fields one question has (an item, or a turn of a conversation)."""
    gold = data.get("gold", [])
    if not isinstance(gold, list) or not all(
        isinstance(g, dict) and isinstance(g.get("doc_id"), str) and g["doc_id"] for g in gold
    ):
        return "'gold' must be a list of {'doc_id', ...} objects"
    if any("page" in g and not _is_page(g["page"]) for g in gold):
        return "a gold 'page' must be a page number (1 or more)"
    for key in ("key_facts", "tags"):
        if not _is_str_list(data.get(key, [])):
            return f"'{key}' must be a list of strings"
    if not isinstance(data.get("answerable", True), bool):
        return "'answerable' must be true or false"
    split = data.get("split", "")
    if split != "" and split not in SPLITS:
        return f"'split' must be 'dev' or 'test', not {split!r}"
    kind = data.get("adversarial_type", "")
    if kind != "" and kind not in ADVERSARIAL_TYPES:
        return f"unknown 'adversarial_type' {kind!r} (one of {', '.join(ADVERSARIAL_TYPES)})"
    return EvalItem(
        id=item_id,
        question=str(data["question"]),
        language=str(data.get("language", "en")),
        answerable=data.get("answerable", True),
        gold=tuple({k: str(v) for k, v in g.items()} for g in gold),
        key_facts=tuple(data.get("key_facts", [])),
        tags=tuple(data.get("tags", [])),
        split=str(split),
        adversarial_type=str(kind),
        set_name=set_name,
    )


def _is_page(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return value.isdigit() and int(value) >= 1
    return isinstance(value, int) and value >= 1


def _parse_conversation(data: dict[str, Any], set_name: str) -> EvalItem | str:
    """Parse a conversation: its own id, tags and split; each turn a question of its own."""
    conversation_id = data.get("id")
    turns = data.get("turns")
    if not conversation_id or not isinstance(turns, list) or not turns:
        return "a conversation needs an 'id' and a non-empty list of 'turns'"
    header = _parse_question(
        {k: v for k, v in data.items() if k in ("tags", "split")} | {"question": "-"},
        str(conversation_id),
        set_name,
    )
    if isinstance(header, str):
        return header
    parsed: list[EvalItem] = []
    for number, turn in enumerate(turns, start=1):
        if not isinstance(turn, dict) or not turn.get("question"):
            return f"turn {number} needs a 'question'"
        if "split" in turn or "turns" in turn:
            return f"turn {number}: 'split' and 'turns' belong to the conversation"
        item = _parse_question(turn, f"{conversation_id}#{number}", set_name)
        if isinstance(item, str):
            return f"turn {number}: {item}"
        parsed.append(replace(item, tags=header.tags, split=header.split))
    return replace(header, question="", turns=tuple(parsed))


def read_ids(path: Path) -> list[str]:
    """Read item ids, one a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise EvalSetError(f"{path}: cannot read ({e.strerror or e})") from e
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def select_items(
    items: list[EvalItem],
    ids: list[str] | None = None,
    limit: int | None = None,
    split: str | None = None,
) -> list[EvalItem]:
    """Keep the items named in ``ids`` (in set order) of ``split``, then the first ``limit``.

    ``split`` ``"dev"`` or ``"test"`` keeps that split only; ``None`` or ``"all"`` keeps
    every item. A conversation is selected, and limited, as one item.

    Raises:
        EvalSetError: an id names no item of the sets.

    """
    if ids is not None:
        known = {item.id for item in items}
        missing = [i for i in ids if i not in known]
        if missing:
            raise EvalSetError(f"ids not found in the eval sets: {', '.join(missing)}")
        wanted = set(ids)
        items = [item for item in items if item.id in wanted]
    if split not in (None, "all"):
        items = [item for item in items if item.split == split]
    return items[:limit] if limit is not None else items
