"""Type-ahead search for actors: tolerant of accents, case and small typos.

A broker types "lina", "Lína" or "Lnia" and expects Lina at the top; "fatma" should find
Fatima and "gulsen" Gülşen. Names are folded (Unicode NFKD with the combining marks dropped,
``ß`` → ``ss``, ``ı`` → ``i``, lower-cased, punctuation to spaces) and split into words. Each
word of the query is matched against the words of a name, best first:

==========  =====  ===============================================================
match       score  when
==========  =====  ===============================================================
exact       1.0    the folded words are equal
prefix      0.8    the name word starts with the query word (type-ahead)
fuzzy       0.6    optimal-string-alignment distance ≤ 1 (≤ 2 for words of 7+ letters);
                   a fuzzy match of a word shorter than 3 letters is not tried
infix       0.4    the query word occurs inside the name word (3+ letters)
==========  =====  ===============================================================

A name matches when *every* query word matches some word of it; its score is the mean of the
word scores, plus 0.05 when the whole folded query is a prefix of the folded name. Ties in
score go to the shorter name, then to the id (a stable order).

Persons whose consent is withdrawn are never matched by name (brokers see them only as a
pseudonym, and a match would disclose the real name). Roles that do not see persons search
organisations, initiatives and places only; the caller decides that (``kinds``).

Complexity: the folded names of a network are cached per revision (one ``SELECT`` of id,
name and kind, O(n) folding); a query is O(n · w) word comparisons, the distance bounded
so that each comparison is O(L · k). 10,000 actors answer in a few milliseconds.

References
----------
Damerau F.J. (1964) A technique for computer detection and correction of spelling errors.
Comm. ACM 7(3):171-176. doi:10.1145/363958.363994 (the optimal string alignment variant of
the distance: insertions, deletions, substitutions and adjacent transpositions).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

__all__ = ["Candidate", "Hit", "fold", "match_score", "osa_distance", "rank", "words"]

_SPECIAL = str.maketrans({"ß": "ss", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"})
_NON_WORD = re.compile(r"[^0-9a-z]+")

EXACT, PREFIX, FUZZY, INFIX = 1.0, 0.8, 0.6, 0.4
WHOLE_PREFIX_BONUS = 0.05


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation as spaces: ``"Gülşen-Öz"`` → ``"gulsen oz"``."""
    lowered = text.lower().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", lowered)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare).split())


def words(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance between ``a`` and ``b``, or ``limit + 1`` as soon as
    it is known to exceed ``limit`` (a banded dynamic programme)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


def _typo_limit(word: str) -> int:
    if len(word) < 3:
        return 0
    return 2 if len(word) >= 7 else 1


def _word_score(q: str, name_words: Sequence[str]) -> float:
    best = 0.0
    limit = _typo_limit(q)
    for w in name_words:
        if w == q:
            return EXACT
        if w.startswith(q):
            best = max(best, PREFIX)
        elif limit and osa_distance(q, w[: len(q) + limit] if len(w) > len(q) else w, limit) <= (
            limit
        ):
            # compare with the word, or with its beginning when the broker is still typing
            best = max(best, FUZZY)
        elif len(q) >= 3 and q in w:
            best = max(best, INFIX)
    return best


def match_score(query_words: Sequence[str], name_words: Sequence[str]) -> float:
    """The score of one name for a query (0 when some query word matches nothing)."""
    if not query_words:
        return 0.0
    total = 0.0
    for q in query_words:
        s = _word_score(q, name_words)
        if s == 0.0:
            return 0.0
        total += s
    score = total / len(query_words)
    if " ".join(name_words).startswith(" ".join(query_words)):
        score += WHOLE_PREFIX_BONUS
    return round(score, 4)


@dataclass(frozen=True)
class Candidate:
    """One searchable actor: its id, kind and folded name words (no name kept)."""

    actor_id: str
    kind: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    actor_id: str
    kind: str
    score: float
    match: str
    """``exact``, ``prefix``, ``fuzzy`` or ``infix``: the weakest word match."""


def _label(score: float, n_words: int) -> str:
    per_word = score - WHOLE_PREFIX_BONUS if score > 1.0 else score
    if per_word >= EXACT - 1e-9:
        return "exact"
    if per_word >= PREFIX - 1e-9:
        return "prefix"
    if per_word >= FUZZY - 1e-9:
        return "fuzzy"
    return "infix"


def rank(
    query: str,
    candidates: Sequence[Candidate],
    *,
    kinds: Collection[str] = (),
    allowed: Collection[str] | None = None,
    limit: int = 20,
) -> list[Hit]:
    """The best ``limit`` candidates for ``query``; ``kinds`` and ``allowed`` (actor ids)
    narrow the candidates first."""
    q = words(query)
    if not q:
        return []
    hits: list[tuple[float, int, str, Candidate]] = []
    for c in candidates:
        if kinds and c.kind not in kinds:
            continue
        if allowed is not None and c.actor_id not in allowed:
            continue
        score = match_score(q, c.words)
        if score > 0:
            hits.append((-score, len(" ".join(c.words)), c.actor_id, c))
    hits.sort(key=lambda h: (h[0], h[1], h[2]))
    return [
        Hit(actor_id=c.actor_id, kind=c.kind, score=-neg, match=_label(-neg, len(q)))
        for neg, _, _, c in hits[:limit]
    ]
