"""Pseudonymised research exports (DESIGN.md section 6).

What a research export holds
----------------------------
* **Only actors a researcher may see**: persons (resident, key_figure, professional) whose
  consent is ``given``; persons with consent ``unknown`` or ``withdrawn`` are left out,
  *with their ties*. Organisations, initiatives and places need no consent and stay.
* **No names, notes, free text or contact data**: names, notes, external references, free
  attributes (they are free-form and may hold anything) and tie notes are dropped.
* **Every actor pseudonymised, persons and non-persons alike.** An organisation's name is not
  personal data, but an initiative ("Ans' taalcafé") or a place ("bij Mo thuis") can name a
  person, and a named organisation next to a handful of pseudonyms makes those easier to
  re-identify. The kind stays, so researchers still see who is an organisation.
* **Area**: street labels are dropped (a street with a few residents points at a person);
  CBS codes stay, and when the network (or the caller) asks for coarsening a buurt code
  ``BU03630001`` becomes its wijk ``WK036300``.
* **Kept**: kind, area code, languages, assets, needs; tie kind, strength, support, since,
  until. Structure itself can of course still be recognised by someone who knows the
  neighbourhood; that is inherent to network data and is why consent comes first.

Pseudonyms
----------
``pseudonym = "p" + hex(HMAC-SHA256(key, researcher_token_id + ":" + actor_id))[:16]``
(64 bits). The key is a server secret kept apart from the data: the ``pseudonym_key``
setting (``NETWERK_PSEUDONYM_KEY``) or a key file (``NETWERK_PSEUDONYM_KEY_FILE``), never
the database. Because the researcher's token id is in the message, the same researcher gets
the same pseudonym for an actor in every export (and can follow the network over time),
while two researchers get unrelated pseudonyms. Rows are ordered by pseudonym, so the
position of a row does not link two exports either.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from netwerk.errors import NetwerkError

__all__ = [
    "MIN_KEY_BYTES",
    "PseudonymKey",
    "PseudonymKeyMissing",
    "coarsen",
    "research_area",
]

MIN_KEY_BYTES = 16


class PseudonymKeyMissing(NetwerkError):
    """The server has no pseudonym key, so it cannot make a research export."""

    title = "Research export not configured"


@dataclass(frozen=True)
class PseudonymKey:
    """The server secret plus the researcher (token) it makes pseudonyms for."""

    secret: bytes = field(repr=False)
    token_id: str

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_BYTES:
            raise PseudonymKeyMissing(
                f"the pseudonym key must be at least {MIN_KEY_BYTES} bytes long"
            )
        if not self.token_id:
            raise ValueError("a pseudonym key needs the researcher's token id")

    def pseudonym(self, actor_id: str) -> str:
        message = f"{self.token_id}:{actor_id}".encode()
        return "p" + hmac.new(self.secret, message, hashlib.sha256).hexdigest()[:16]

    @classmethod
    def load(
        cls, token_id: str, *, secret: str | bytes | None = None, key_file: str | Path | None = None
    ) -> PseudonymKey:
        """The key from ``secret``, else from ``key_file`` (the API passes its
        ``pseudonym_key`` and ``pseudonym_key_file`` settings; nothing is read here)."""
        raw: bytes | None = None
        if secret is not None:
            raw = secret.encode() if isinstance(secret, str) else secret
        elif key_file is not None:
            raw = Path(key_file).read_bytes().strip()
        if not raw:
            raise PseudonymKeyMissing(
                "no pseudonym key is configured: set NETWERK_PSEUDONYM_KEY or "
                f"NETWERK_PSEUDONYM_KEY_FILE (a secret of at least {MIN_KEY_BYTES} bytes)"
            )
        return cls(raw, token_id)


def coarsen(area: str | None) -> str | None:
    """A buurt code ``BU`` + 8 digits → its wijk ``WK`` + the first 6; others unchanged."""
    if area is not None and area.startswith("BU") and len(area) == 10 and area[2:].isdigit():
        return "WK" + area[2:8]
    return area


def research_area(area: str | None, *, coarsen_area: bool) -> str | None:
    """The area a research export may show: a CBS code (coarsened if asked); street labels
    are dropped."""
    if area is None or area[:2] not in ("GM", "WK", "BU") or not area[2:].isdigit():
        return None
    return coarsen(area) if coarsen_area else area
