"""Keep a FAQ honest over time: flag entries whose sources changed, carry reviews over.

Apart from the builder because both run without the pipeline, against the store alone
(``faq --check`` and a rebuild over a reviewed file).
"""

from __future__ import annotations

from typing import Any

from assistant.faq.records import FaqEntry, FaqFile, content_hash, now

__all__ = ["check_faq", "merge_review"]


def _source_problems(entry: FaqEntry, store: Any) -> list[str]:
    """Why an entry's sources no longer match the store (empty when they all do)."""
    ids = [s.chunk_id for s in entry.sources]
    current = {record.id: record.text for record in store.get(ids, metadata=False)}
    problems: list[str] = []
    for source in entry.sources:
        text = current.get(source.chunk_id)
        if text is not None and content_hash(text) == source.content_hash:
            continue
        where = f"{source.doc_id} {source.locator}".strip()
        if text is not None:
            problems.append(f"source changed: {where}")
            continue
        same_place = store.get(
            where={"$and": [{"doc_id": source.doc_id}, {"locator": source.locator}]},
            text=False,
            metadata=False,
            limit=1,
        )
        problems.append(f"source {'changed' if same_place else 'removed'}: {where}")
    return list(dict.fromkeys(problems))


def check_faq(faq: FaqFile, store: Any) -> list[FaqEntry]:
    """Flag entries whose source chunks changed or disappeared; return the newly stale ones.

    Status and edits are left alone: a stale approved entry stays approved, with
    ``stale`` set and the reason, until a reviewer looks at it again.
    """
    newly: list[FaqEntry] = []
    for entry in faq.entries:
        problems = _source_problems(entry, store)
        if problems:
            was_stale = entry.stale
            entry.stale = True
            entry.stale_reason = "; ".join(problems)
            if not was_stale:
                newly.append(entry)
    faq.updated = now()
    return newly


def merge_review(new: FaqFile, old: FaqFile, store: Any) -> FaqFile:
    """Carry a reviewer's work from ``old`` into the freshly built ``new``.

    Entries whose sources are unchanged are kept exactly as reviewed. Entries whose
    sources changed keep their status and edits, take the new generated text (the
    old answer kept as ``previous_answer``) and are flagged stale. Old entries the
    new build no longer produces are kept too, flagged stale when their sources
    changed: nothing a reviewer did is lost. New entries are added as drafts.
    """
    fresh = {e.id: e for e in new.entries}
    merged: list[FaqEntry] = []
    for entry in old.entries:
        problems = _source_problems(entry, store)
        rebuilt = fresh.pop(entry.id, None)
        if not problems:
            merged.append(entry)
            continue
        if rebuilt is None:
            entry.stale, entry.stale_reason = True, "; ".join(problems)
            merged.append(entry)
            continue
        rebuilt = rebuilt.model_copy(
            update={
                "status": entry.status,
                "edited_question": entry.edited_question,
                "edited_answer": entry.edited_answer,
                "reviewer_note": entry.reviewer_note,
                "previous_answer": entry.answer if entry.answer != rebuilt.answer else None,
                "stale": True,
                "stale_reason": "; ".join(problems),
            }
        )
        merged.append(rebuilt)
    room = max(new.request.n, len(merged)) - len(merged)
    merged.extend(list(fresh.values())[:room])
    merged.sort(key=lambda e: (e.doc_id, e.position))
    return new.model_copy(update={"entries": merged, "created": old.created, "updated": now()})
