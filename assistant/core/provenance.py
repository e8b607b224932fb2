"""Where each document came from, and who may change it.

Three origins, recorded on every chunk (``origin``, ``owner``):

- ``bundled``: the project's own corpus (``corpus/`` beside the package), official texts;
- ``operator``: files the operator ingested with the CLI;
- ``upload``: files a user added through the app.

An upload lives in its own namespace (``doc_id`` prefixed ``upload-``), so whatever its
front matter or heading claims, it can never update, shadow or delete a bundled or
operator document, and one user's upload never replaces another's. A chunk stored
without ``origin`` (a store from before provenance existed) counts as ``operator``:
protected, never open to uploads. The checks read only stored metadata, never the
current directory.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.core.errors import AssistantError
from assistant.core.records import LoadedDocument

__all__ = [
    "BUNDLED_CORPUS",
    "UPLOADED_LABEL",
    "UPLOAD_PREFIX",
    "Actor",
    "Origin",
    "PermissionDenied",
    "Provenance",
    "as_upload",
    "check_delete",
    "origin_of",
    "path_origin",
]

Origin = Literal["bundled", "operator", "upload"]
Role = Literal["user", "operator"]
UPLOAD_PREFIX = "upload-"
UPLOADED_LABEL = "uploaded, not an official text"
BUNDLED_CORPUS = Path(__file__).resolve().parents[2] / "corpus"
_OWNER_UNSAFE = re.compile(r"[^a-zA-Z0-9._-]+")


class PermissionDenied(AssistantError):
    """The user's role does not allow this change; the message says who may make it."""


@dataclass(frozen=True)
class Provenance:
    """The origin and owner that an ingest run stamps on every chunk it writes."""

    origin: Origin = "operator"
    owner: str = ""

    def as_metadata(self) -> dict[str, str]:
        """Chroma metadata fields."""
        return {"origin": self.origin, "owner": self.owner}


@dataclass(frozen=True)
class Actor:
    """Who asks for a change in the app: a user name (``anonymous`` without login) and a role."""

    name: str = "anonymous"
    role: Role = "user"

    @classmethod
    def of(cls, username: str | None, operator_username: str | None) -> Actor:
        """Return the actor behind a signed-in name (``None``: no login, an anonymous user)."""
        if not username:
            return cls()
        role: Role = "operator" if operator_username and username == operator_username else "user"
        return cls(str(username), role)

    @property
    def folder(self) -> str:
        """A file-system-safe form of the name, for the user's own upload folder."""
        return _OWNER_UNSAFE.sub("-", self.name).strip(".-") or "anonymous"


def path_origin(path: Path) -> Origin:
    """``bundled`` for a file inside the project's corpus folder, else ``operator``."""
    try:
        path.resolve().relative_to(BUNDLED_CORPUS)
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a link that loops
        return "operator"
    return "bundled"


def origin_of(metadata: Mapping[str, Any]) -> Origin:
    """Return the stored origin of a chunk; chunks from before provenance count as ``operator``."""
    value = str(metadata.get("origin") or "operator")
    return value if value in ("bundled", "operator", "upload") else "operator"  # type: ignore[return-value]


def as_upload(
    document: LoadedDocument, official_symbols: Mapping[str, str]
) -> tuple[LoadedDocument, str]:
    """Move an uploaded document into the upload namespace; return it and a flag (or ``""``).

    ``official_symbols`` maps the upper-cased symbols of stored bundled and operator
    documents to their ``doc_id``. An upload claiming one of them keeps its text but loses
    the symbol (so it is not preferred for questions naming that decision) and is flagged;
    a symbol named in its title ("Decision XI/16") is such a claim too. A claimed translation link is dropped: an upload is nobody's official translation.
    """
    from assistant.language.references import named_symbols

    meta = document.meta
    doc_id = meta.doc_id if meta.doc_id.startswith(UPLOAD_PREFIX) else UPLOAD_PREFIX + meta.doc_id
    claimed = [meta.symbol.strip().upper()] if meta.symbol else []
    claimed += sorted(named_symbols(meta.title))  # "Decision XI/16" as the heading claims it too
    held = [(symbol, official_symbols[symbol]) for symbol in claimed if symbol in official_symbols]
    holder = held[0][1] if held else None
    flag = (
        f"flagged: claims the symbol {held[0][0]}, which the official text '{holder}' holds;"
        " kept apart as an uploaded document"
        if held
        else ""
    )
    new_meta = dataclasses.replace(
        meta, doc_id=doc_id[:200], symbol="" if holder else meta.symbol, translation_of=""
    )
    return dataclasses.replace(document, meta=new_meta), flag


def check_delete(actor: Actor, doc_id: str, metadata: Mapping[str, Any]) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may delete this document.

    Bundled texts are removed only from the corpus folder by the operator (``ingest
    --prune``); operator documents only by an operator; an upload by its owner or an
    operator.
    """
    origin = origin_of(metadata)
    if origin == "bundled":
        raise PermissionDenied(
            f"'{doc_id}' is a bundled official text and cannot be deleted from the app"
        )
    if actor.role == "operator":
        return
    if origin == "operator":
        raise PermissionDenied(
            f"'{doc_id}' was added by the operator; only an operator may delete it"
        )
    if str(metadata.get("owner", "")) != actor.name:
        raise PermissionDenied(
            f"'{doc_id}' was uploaded by another user; only they or an operator may delete it"
        )
