"""The one name normaliser, and "did you mean" candidates built on it.

Import resolution links organisations whose normalised names are equal; search,
resolution and the "unknown id" errors of every surface suggest the closest normalised
names. Similarity is rapidfuzz's normalised Indel ratio (difflib's ``ratio``, ~500x
faster), so a suggestion list and an import report agree on what "close" means.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

#: Legal-form words dropped at the end of a name before comparing ("Axis AB" = "Axis").
LEGAL_FORMS = frozenset({
    "ab", "ag", "as", "asa", "bv", "co", "company", "corp", "corporation", "gmbh", "inc",
    "incorporated", "kg", "limited", "llc", "ltd", "nv", "oy", "plc", "pte", "sa", "sarl",
    "sas", "spa", "srl"})


def normalise(name: str) -> str:
    """Case, width, accents, punctuation and trailing legal forms removed; CJK kept."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    words = re.sub(r"[^\w]+", " ", text).split()
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def close_matches(text: str, choices: Iterable[str], limit: int = 5,
                  cutoff: float = 0.5) -> list[str]:
    """The ``choices`` closest to ``text`` (both normalised), best first: choices that
    contain it, shortest first, then fuzzy matches scoring at least ``cutoff``."""
    needle = normalise(text)
    if not needle:
        return []
    keyed = {c: normalise(c) for c in choices}
    hits = sorted((c for c, n in keyed.items() if needle in n), key=lambda c: (len(c), c))
    fuzzy = [c for _, _, c in process.extract(needle, keyed, scorer=fuzz.ratio, limit=limit,
                                              score_cutoff=cutoff * 100)]
    out: list[str] = []
    for c in hits[:limit] + fuzzy:
        if c not in out:
            out.append(c)
    return out[:limit]
