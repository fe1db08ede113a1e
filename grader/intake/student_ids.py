"""Student ids that are safe as file names and CSV cells, readable where possible, and never merge
two different students.

An id that is already safe is kept as it is (an LMS's participant number, `anna.puig`). Anything
else gets a readable part (accents dropped, other characters replaced) and a short hash of the raw
id, so that José and Josè, or 李雷 and 韩梅梅, stay two students. The hash is of the NFC form:
the same name typed on two systems (composed or decomposed accents) is one student.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@\-]{0,79}")
HASH_CHARS = 8


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:HASH_CHARS]


def _readable(raw: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._@\-]+", "_", ascii_text).strip("._-")[:60]


def student_id(raw: str) -> str:
    """The safe id of a raw student id (a file name's stem, an LMS id, a folder name)."""
    raw = unicodedata.normalize("NFC", raw.strip())
    if SAFE.fullmatch(raw) and not raw.endswith("."):
        return raw
    readable = _readable(raw)
    return f"{readable}-{_hash(raw)}" if readable else f"id-{_hash(raw)}"


def distinct_ids(raws: Iterable[str]) -> dict[str, str]:
    """Safe ids for a batch's raw ids: `student_id`, with the hash added wherever two different raw
    ids would otherwise share one (`anna_b` and `anna b`, say)."""
    normalized = {raw: unicodedata.normalize("NFC", raw.strip()) for raw in raws}
    ids = {raw: student_id(raw) for raw in normalized}
    owners: dict[str, set[str]] = {}
    for raw, safe in ids.items():
        owners.setdefault(safe.lower(), set()).add(normalized[raw])
    for raw, safe in ids.items():
        if len(owners[safe.lower()]) > 1:
            readable = _readable(normalized[raw])
            ids[raw] = f"{readable}-{_hash(normalized[raw])}" if readable else f"id-{_hash(normalized[raw])}"
    return ids
