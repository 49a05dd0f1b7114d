"""Text normalisation shared by parsing, area classification and risk detection.

Users type on phones, often without æøå ("sjaeldent", "mobbet paa nettet") and with typos.
Everything that matches words compares on one canonical ASCII fold: æ->ae, ø->oe, å->aa,
so "sjældent", "sjaeldent" and "SJÆLDENT" all become "sjaeldent".
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable

_WS = re.compile(r"\s+")
# Letters we fold explicitly before stripping the remaining accents (é->e, ü->u ...).
_FOLD = str.maketrans(
    {
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "ä": "ae",
        "ö": "oe",
        "ü": "u",
        "ß": "ss",
        # Typographic quotes and dashes that phones insert.
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
    }
)
_WORD = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case, strip and collapse whitespace; keep the Danish letters as typed."""
    text = unicodedata.normalize("NFC", text or "")
    return _WS.sub(" ", text).strip().lower()


@functools.lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Canonical ASCII fold used for all matching (æ->ae, ø->oe, å->aa, accents removed).

    Cached: free-text matching folds the same words and lexicon terms over and over."""
    text = normalize(text).translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded words (letters and digits only), e.g. for keyword matching."""
    return _WORD.findall(fold(text))


def similarity(a: str, b: str) -> float:
    """Similarity 0..1 of the folded forms (difflib ratio)."""
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()


def typo_cutoff(word: str) -> float:
    """How similar a word must be to count as a typo of a known word.

    Short words need an exact match ("tit" vs "tid" would otherwise collide); longer words
    tolerate roughly one edit per five letters.
    """
    n = len(word)
    if n <= 3:
        return 1.0
    if n <= 5:
        return 0.8
    return 0.78


def fuzzy_match(text: str, candidates: Iterable[str], cutoff: float | None = None) -> str | None:
    """Return the candidate closest to `text` (compared on the fold), or None.

    An exact fold match wins; otherwise difflib's best match above the cutoff
    (default: `typo_cutoff` of the input).
    """
    cands = list(candidates)
    if not cands:
        return None
    key = fold(text)
    folded = {fold(c): c for c in cands}
    if key in folded:
        return folded[key]
    limit = typo_cutoff(key) if cutoff is None else cutoff
    if limit >= 1.0:
        return None
    best = difflib.get_close_matches(key, list(folded), n=1, cutoff=limit)
    return folded[best[0]] if best else None


def is_typo_of(word: str, target: str) -> bool:
    """True when folded `word` equals `target` or is a close typo of it."""
    return folded_typo_of(fold(word), fold(target))


def folded_typo_of(w: str, t: str) -> bool:
    """is_typo_of for words that are already folded (the hot path of free-text matching)."""
    if w == t:
        return True
    limit = typo_cutoff(t)
    if limit >= 1.0:
        return False
    # Cheap upper bounds of ratio() first (as difflib.get_close_matches does): ratio() is
    # 2*matches/(len(w)+len(t)) and matches <= the shorter length; most pairs stop here.
    if 2.0 * min(len(w), len(t)) / (len(w) + len(t)) < limit:
        return False
    matcher = difflib.SequenceMatcher(None, w, t)
    return matcher.quick_ratio() >= limit and matcher.ratio() >= limit


def one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def keyword_matches(word: str, keyword: str, stem: bool, min_fuzzy: int) -> bool:
    """Does a folded word match a keyword (a stem when `stem`, else a whole word)?

    One typo is tolerated only in keywords of `min_fuzzy` letters or more, and never in the
    first letter, so short words and names ("Mette" / "matte") are never read as others."""
    if stem:
        if word.startswith(keyword):
            return True
        if len(keyword) < min_fuzzy or len(word) < len(keyword) - 1 or word[0] != keyword[0]:
            return False
        n = len(keyword)
        return any(one_edit(word[:m], keyword) for m in (n - 1, n, n + 1) if m <= len(word))
    if word == keyword:
        return True
    return len(keyword) >= min_fuzzy and word[:1] == keyword[:1] and one_edit(word, keyword)
