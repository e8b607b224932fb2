"""Read text files as text: any encoding seen in practice, front matter split off.

Shared by every loader: ``clean`` is also the last line of defence against control
characters that a damaged PDF or crafted markup smuggles into extracted text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from assistant.core.errors import IngestError
from assistant.language.scripts import is_han

__all__ = ["CONTROL_CHARS", "clean", "decode", "split_front_matter"]

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?", re.DOTALL)
# "---" then "field: value" lines with no closing "---": a front matter block cut short.
_UNCLOSED_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n[A-Za-z_][\w-]*[ \t]*:")

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# C0 controls other than tab, newline, vertical tab, form feed and carriage return, and DEL:
# text in any encoding read here has (almost) none of these bytes, binary data has many.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BINARY_RATIO = 0.01
_BINARY_MIN = 8  # a short note with a stray NUL or two is still text
_BAD_UTF8_RATIO = 0.1


def decode(path: Path, data: bytes) -> str:
    """Decode text in any encoding seen in practice, with Unix newlines.

    Stray control characters (a few NUL bytes in an otherwise good file) are dropped;
    a file with many of them is binary and refused.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return clean(data.decode(encoding))
            except UnicodeDecodeError as e:
                raise IngestError(
                    path, f"starts with a {encoding} mark but is not {encoding} text"
                ) from e
    sample = data[:65536]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > max(_BINARY_MIN, _BINARY_RATIO * len(sample)):
        raise IngestError(path, "binary content, not text (wrong extension?)")
    return clean(_decode_legacy(data))


def clean(text: str) -> str:
    """Return text with Unix newlines and no control characters (tab and newline kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    return CONTROL_CHARS.sub("", text)


def _decode_legacy(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few broken bytes (a truncated copy, one bad edit): keep the
    # text and drop the broken bytes rather than misreading every character as Latin-1.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    wide = sum(1 for c in lenient if c > "\x7f") - broken
    if wide > 0 and broken <= _BAD_UTF8_RATIO * wide:
        return lenient.replace("\ufffd", "")
    # Legacy encodings: GB18030 decodes many Latin-1 byte pairs too, so it wins only
    # when most letters come out Chinese; otherwise Windows-1252, then Latin-1.
    try:
        chinese = data.decode("gb18030")
        letters = [c for c in chinese if c.isalpha()]
        cjk = sum(1 for c in letters if is_han(c))
        if letters and cjk / len(letters) > 0.5:
            return chinese
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """Split a leading ``---`` YAML block off the text; return its fields and the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        if _UNCLOSED_FRONT_MATTER.match(text):
            raise IngestError(
                path, "front matter opened with '---' is never closed by a '---' line"
            )
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as e:
        reason = str(e).splitlines()[0]
        raise IngestError(path, f"front matter is not valid YAML ({reason})") from e
    if not isinstance(data, dict):
        raise IngestError(path, "front matter must be a YAML mapping of field: value")
    return data, text[match.end() :]
