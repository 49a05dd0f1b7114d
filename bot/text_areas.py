"""Map free text ("Hvad gør skolen svær?") to the five focus areas and to signals.

A curated Danish lexicon, matched on the ASCII fold (see `bot.normalize`) so "maeve"/"mave",
"skaerm"/"skærm" are the same. Terms ending in "*" are stems ("mobb*" matches "mobbet",
"mobning" needs its own term). Single words of five letters or more also match close typos
("mobet", "skilsmise"). A term directly after "ikke"/"aldrig" is ignored ("han bliver ikke
mobbet"), which covers the commonest negation without pretending to parse Danish.

Kinds marked neutral (e.g. a leisure activity named) place the text in an area but raise no
concern signal.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.normalize import fold, folded_typo_of

# area -> kind -> terms (folded ASCII)
LEXICON: dict[str, dict[str, list[str]]] = {
    "kammerater": {
        "bullying": [
            "mobb*",
            "mobe*",
            "mobning*",
            "drill*",
            "griner af",
            "grine af",
            "gjort grin med",
            "kalder ham",
            "kalder hende",
            "kalder mig",
            "oeknavn*",
            "nedgoer*",
            "hadebesked*",
            "udstill*",
        ],
        "left_out": [
            "ingen venner",
            "ikke nogen venner",
            "ingen at lege med",
            "ingen at vaere sammen med",
            "holdt udenfor",
            "holder ham udenfor",
            "holder hende udenfor",
            "holder mig udenfor",
            "udenfor faellesskabet",
            "ensom*",
            "alene i frikvarter*",
            "ikke med i",
            "har ikke nogen",
        ],
        "peer_conflict": [
            "uvenner",
            "konflikt* med klassen",
            "klassekammerat*",
            "kammerat*",
            "veninde*",
            "slaaskamp*",
            "pigerne i klassen",
            "drengene i klassen",
        ],
    },
    "skole": {
        "teacher_conflict": ["laerer*", "laerere*", "klasselaerer*", "paedagog*", "skoleleder*"],
        "noise_sensory": ["larm*", "uro", "uroen", "urolig klasse", "hoejt i klassen", "stoej*"],
        "academic_difficulty": [
            "matematik*",
            "matte",
            "dansk",
            "engelsk",
            "tysk",
            "fransk",
            "lektie*",
            "fagene",
            "faglig*",
            "for svaer*",
            "svaert at foelge med",
            "kan ikke foelge med",
            "for let",
            "keder sig i timerne",
        ],
        "performance_anxiety": [
            "proeve*",
            "eksamen*",
            "fremlaeg*",
            "laese hoejt",
            "laeser hoejt",
            "sige noget i timen",
            "karakter*",
            "omklaedning*",
            "gymnastik",
            "idraet",
        ],
        "transition": [
            "ny skole",
            "ny klasse",
            "skiftet skole",
            "skoleskift*",
            "skifte skole",
            "overgang*",
            "vikar*",
            "ny laerer",
            "ny klasselaerer",
            "overbygning*",
        ],
    },
    "hjem": {
        "family_change": [
            "skilsmisse*",
            "skilt",
            "skilles",
            "gaaet fra hinanden",
            "flyttet",
            "flytte*",
            "flytning*",
            "delebarn",
            "bor skiftevis",
            "ny kaereste",
            "papfar",
            "papmor",
            "doedsfald*",
            "begravelse*",
            "doede",
            "er doed",
            "mistet",
            "lillesoester",
            "lillebror",
        ],
        "illness_family": [
            "mor er syg",
            "far er syg",
            "mormor er syg",
            "farmor er syg",
            "er indlagt",
            "kraeft",
            "syg i familien",
            "psykisk syg",
        ],
        "conflict_home": [
            "skaendes",
            "skaenderi*",
            "konflikt* derhjemme",
            "uro derhjemme",
            "raaber derhjemme",
            "raaber af",
        ],
        "money_worries": ["penge", "oekonomi*", "raad til", "arbejdsloes*", "gaeld"],
        "caring_role": [
            "passe sine soeskende",
            "passer sine soeskende",
            "passer soeskende",
            "passe soeskende",
            "passer min",
            "hjaelpe derhjemme",
            "tager sig af",
        ],
        "separation_worry": [
            "vil ikke vaek fra mig",
            "vil ikke vaek fra sin mor",
            "vil ikke vaek fra sin far",
            "vil blive hjemme hos",
            "bekymret for mig",
            "bekymret for sin mor",
            "bekymret for sin far",
            "savner sin mor",
            "savner sin far",
        ],
    },
    "barnet": {
        "anxiety": ["angst*", "bange", "nervoes*", "panik*", "bekymr*", "uro i kroppen"],
        "sadness": [
            "ked af det",
            "trist*",
            "depression*",
            "deprimer*",
            "graeder",
            "graed*",
            "selvtillid",
            "selvvaerd",
            "ulykkelig*",
        ],
        "somatic": [
            "ondt i maven",
            "ondt i hovedet",
            "mavepine",
            "hovedpine",
            "kvalme",
            "kaster op",
            "ondt i kroppen",
        ],
        "sleep": [
            "sover daarligt",
            "sover for lidt",
            "kan ikke sove",
            "kan ikke falde i soevn",
            "falder ikke i soevn",
            "soevn*",
            "traet*",
            "sent i seng",
            "vaagen om natten",
            "oppe om natten",
            "vender doegnet",
        ],
        "screen_preference": [
            "gamer*",
            "gaming",
            "spiller om natten",
            "spiller computer",
            "computerspil*",
            "playstation",
            "fortnite",
            "minecraft",
            "roblox",
            "tiktok",
            "skaerm*",
            "mobilen",
            "youtube",
            "discord",
        ],
        "adhd_autism_signs": [
            "adhd",
            "add",
            "autisme*",
            "autist*",
            "asperger*",
            "diagnose*",
            "udredning*",
            "udredt",
            "tourette*",
            "ocd",
            "sansesart*",
            "overstimuler*",
        ],
        "reading_difficulty": ["ordblind*", "dysleksi*", "regnevanske*", "dyskalkuli*"],
    },
    "fritid": {
        "leisure": [
            "fodbold",
            "haandbold",
            "svoemning",
            "spejder*",
            "fritidsklub*",
            "ungdomsklub*",
            "klub",
            "klubben",
            "sport",
            "traening",
            "musikskole*",
            "dans",
            "ridning",
            "rider",
            "fritid*",
            "fritidsjob*",
        ],
        "no_leisure": [
            "stoppet med",
            "holdt op med",
            "gaar ikke til noget",
            "gaar ikke til noget i fritiden",
            "ingen fritidsinteresse*",
            "intet i fritiden",
        ],
    },
}

# Kinds that only place text in an area; they raise no concern.
NEUTRAL_KINDS = frozenset({"leisure", "peer_conflict"})

AREA_TOPIC: dict[str, dict[str, str]] = {
    "parent": {
        "skole": "skolen og undervisningen",
        "kammerater": "kammerater",
        "hjem": "forholdene derhjemme",
        "barnet": "hvordan dit barn har det",
        "fritid": "fritiden",
    },
    "pupil": {
        "skole": "skolen og timerne",
        "kammerater": "dine venner og klassen",
        "hjem": "det derhjemme",
        "barnet": "hvordan du har det",
        "fritid": "din fritid",
    },
}
# Some kinds say more than the area name; used in the reflection sentence.
KIND_TOPIC: dict[str, str] = {
    "bullying": "mobning eller drillerier",
    "sleep": "at sove",
    "teacher_conflict": "lærerne",
    "noise_sensory": "larm og uro",
    "somatic": "ondt i kroppen",
    "anxiety": "angst og bekymringer",
    "screen_preference": "skærm og spil",
    "family_change": "forandringer i familien",
    "left_out": "at have venner",
    "academic_difficulty": "fagene",
    "sadness": "at være ked af det",
    "conflict_home": "uro derhjemme",
}
AREA_ORDER = ("skole", "kammerater", "hjem", "barnet", "fritid")
_NEGATORS = ("ikke", "aldrig", "ik", "ingen")


@dataclass(frozen=True)
class AreaHit:
    area: str
    kinds: tuple[str, ...]
    matched: tuple[str, ...]  # the words from the text that matched (as the user wrote them)

    def to_dict(self) -> dict[str, object]:
        return {"area": self.area, "kinds": list(self.kinds), "matched": list(self.matched)}


@dataclass(frozen=True)
class _Token:
    folded: str
    original: str


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for m in re.finditer(r"[^\W_]+", text or ""):
        out.append(_Token(fold(m.group(0)), m.group(0)))
    return out


@functools.lru_cache(maxsize=65536)
def _word_matches(word: str, term: str) -> bool:
    # Cached: every word of a text is compared with every lexicon term, and most words recur.
    if term.endswith("*"):
        stem = term[:-1]
        if word.startswith(stem):
            return True
        # Typo in a stem: compare the same-length prefix (needs a stem of 5+ letters).
        return len(stem) >= 5 and folded_typo_of(word[: len(stem)], stem)
    if word == term:
        return True
    return len(term) >= 5 and folded_typo_of(word, term)


def _find(tokens: list[_Token], term: str) -> list[tuple[int, int]]:
    parts = term.split()
    n = len(parts)
    spans = []
    for i in range(len(tokens) - n + 1):
        ok = all(
            _word_matches(tokens[i + j].folded, p)
            if j == n - 1 or p.endswith("*")
            else tokens[i + j].folded == p
            for j, p in enumerate(parts)
        )
        if ok:
            spans.append((i, i + n))
    return spans


def _negated(tokens: list[_Token], start: int, term: str) -> bool:
    if term.split()[0] in _NEGATORS:  # the term itself contains the negation ("ingen venner")
        return False
    before = [t.folded for t in tokens[max(0, start - 2) : start]]
    return any(w in _NEGATORS for w in before)


# Longer terms first so "ondt i maven" is one hit, not also "maven".
_ENTRIES = sorted(
    (
        (area, kind, term)
        for area, kinds in LEXICON.items()
        for kind, terms in kinds.items()
        for term in terms
    ),
    key=lambda e: -len(e[2].split()),
)


@functools.lru_cache(maxsize=256)
def _scan(text: str) -> tuple[tuple[str, str, str], ...]:
    """(area, kind, matched original words) for every lexicon hit, in text order.

    Cached because one answer is scanned for both its areas and its signals."""
    tokens = _tokens(text)
    found: list[tuple[int, str, str, str]] = []
    taken: set[int] = set()
    for area, kind, term in _ENTRIES:
        for start, end in _find(tokens, term):
            if any(i in taken for i in range(start, end)) or _negated(tokens, start, term):
                continue
            taken.update(range(start, end))
            found.append((start, area, kind, " ".join(t.original for t in tokens[start:end])))
    found.sort()
    return tuple((a, k, m) for _, a, k, m in found)


def classify_areas(text: str) -> list[AreaHit]:
    """Areas the text touches (default area order), with kinds and matched words."""
    by_area: dict[str, tuple[list[str], list[str]]] = {}
    for area, kind, matched in _scan(text):
        kinds, words = by_area.setdefault(area, ([], []))
        if kind not in kinds:
            kinds.append(kind)
        if matched not in words:
            words.append(matched)
    return [
        AreaHit(a, tuple(by_area[a][0]), tuple(by_area[a][1])) for a in AREA_ORDER if a in by_area
    ]


def signals_from_text(text: str) -> list[tuple[str, str, str]]:
    """Concern signals in free text as (area, kind, matched); neutral mentions are left out."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for hit in _scan(text):
        if hit[1] not in NEUTRAL_KINDS and hit not in seen:
            seen.add(hit)
            out.append(hit)
    return out


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " og " + items[-1]


def _topics(hit: AreaHit, role: str) -> list[str]:
    """Up to two specific topics for the area, else the area's own name."""
    specific = [KIND_TOPIC[k] for k in hit.kinds if k in KIND_TOPIC][:2]
    return specific or [AREA_TOPIC[role][hit.area]]


def reflect(hits: list[AreaHit], role: str) -> str:
    """One warm Danish sentence that reflects the areas back to the person."""
    r = "pupil" if role in ("pupil", "elev") else "parent"
    if not hits:
        if r == "pupil":
            return "Tak, fordi du fortæller det. Det er godt at vide."
        return "Tak, fordi du skriver det. Det tager vi med videre."
    topics: list[str] = []
    for hit in hits:
        for topic in _topics(hit, r):
            if topic not in topics and len(topics) < 3:
                topics.append(topic)
    phrase = _join([f"om {t}" for t in topics])
    if r == "pupil":
        return f"Tak. Jeg kan høre, at det handler {phrase}."
    return f"Tak. Jeg hører, at det især handler {phrase}."
