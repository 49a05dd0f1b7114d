"""Answers with a value of their own: days of absence (digits or Danish number words), grade,
school, contact details and free text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.normalize import fold, fuzzy_match

if TYPE_CHECKING:
    from bot.questionnaire import Question

from bot.parsing.common import DAYS_PER_WEEK, AnswerError, ParsedAnswer, clean, strip_emoji

NUMBER_WORDS: dict[str, int] = {
    "nul": 0,
    "ingen": 0,
    "intet": 0,
    "en": 1,
    "et": 1,
    "een": 1,
    "én": 1,
    "enkelt": 1,
    "to": 2,
    "par": 2,
    "tre": 3,
    "fire": 4,
    "fem": 5,
    "seks": 6,
    "syv": 7,
    "otte": 8,
    "ni": 9,
    "ti": 10,
    "elleve": 11,
    "tolv": 12,
    "tretten": 13,
    "fjorten": 14,
    "femten": 15,
    "seksten": 16,
    "sytten": 17,
    "atten": 18,
    "nitten": 19,
    "tyve": 20,
    "enogtyve": 21,
    "toogtyve": 22,
    "treogtyve": 23,
}


_NUM = r"(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"


_WEEKS = re.compile(r"(?:(?<![a-z0-9])" + _NUM + r"\s+)?(?:halv(?:en|t)?\s+)?uger?\b")


def _num(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token]


def parse_days(text: str, lo: int = 0, hi: int = 23) -> int:
    """School days from "3", "tre", "ca. 5", "3-4" (the higher), "en uge" (5), "ingen" (0),
    "hver dag" (20, a month of school days). Raises AnswerError outside lo..hi."""
    t = clean(text).replace("ca ", "").replace("cirka ", "").replace("omkring ", "")
    t = t.replace("et par", "par").replace("nogle faa", "par")
    err = AnswerError(
        f"Skriv et tal fra {lo} til {hi}. Et gæt er fint, fx «3».",
        f"Skriv et tal fra {lo} til {hi}. Et gæt er fint.",
    )
    if re.search(r"(?<![\w])-\s*\d", t):
        raise err
    if re.search(r"\b(hver dag|alle dage|hele maaneden|hele tiden|alle)\b", t):
        return min(hi, 20)
    value: int | None = None
    m = _WEEKS.search(t)
    if m:
        n = _num(m.group(1)) if m.group(1) else 1
        value = n * DAYS_PER_WEEK if "halv" not in m.group(0) else max(1, n * DAYS_PER_WEEK // 2)
        if "halv" in m.group(0) and not m.group(1):
            value = 2
    else:
        nums = re.findall(r"\d+", t)
        if nums:
            value = max(int(n) for n in nums[:2])  # "3-4" -> 4
        else:
            hits = [w for w in t.split() if w in NUMBER_WORDS]
            if hits:
                value = max(_num(w) for w in hits[:2])
    if value is None or not lo <= value <= hi:
        raise err
    return value


_ORDINALS = {
    "nulte": 0,
    "foerste": 1,
    "anden": 2,
    "andet": 2,
    "tredje": 3,
    "fjerde": 4,
    "femte": 5,
    "sjette": 6,
    "syvende": 7,
    "ottende": 8,
    "niende": 9,
    "tiende": 10,
    "ellevte": 11,
    "tolvte": 12,
}


_KINDERGARTEN = re.compile(
    r"boernehave|bh\s*\.?\s*kl|bhkl|b\s*klasse|^0\s*\.?\s*[a-z]?\b|^0$|nulte|forskole"
)


def parse_grade(text: str) -> int:
    """Grade 0-10 from "3", "3.", "3. klasse", "3.b", "tredje", "bh.kl"/"0.x" (= 0)."""
    raw = fold(strip_emoji(text))
    err = AnswerError(
        "Klassetrin går fra 0 til 10. Hvilket klassetrin går barnet i? Skriv fx «4».",
        "Skriv et tal fra 0 til 10. Hvilken klasse går du i? Fx «6».",
    )
    if re.match(r"^\s*-\s*\d", raw):
        raise err
    if _KINDERGARTEN.search(raw.strip()):
        return 0
    m = re.search(r"(?<!\d)(\d{1,3})(?!\d)", raw)
    if m:
        value = int(m.group(1))
    else:
        words_ = re.findall(r"[a-z]+", raw)
        found = [_ORDINALS[w] for w in words_ if w in _ORDINALS]
        found += [NUMBER_WORDS[w] for w in words_ if w in NUMBER_WORDS and w not in ("en", "et")]
        if not found:
            # Typo in an ordinal ("trejde") is still clear enough.
            for w in words_:
                hit = fuzzy_match(w, _ORDINALS)
                if hit:
                    found.append(_ORDINALS[hit])
                    break
        if not found:
            raise err
        value = found[0]
    if not 0 <= value <= 10:
        raise err
    return value


def grade_display(grade: int) -> str:
    return "Børnehaveklasse (0. klasse)" if grade == 0 else f"{grade}. klasse"


_SCHOOL_SUFFIX = re.compile(r"\s*(skolen|skole|school|friskole)$")


def _school_core(name: str) -> str:
    t = clean(name)
    core = _SCHOOL_SUFFIX.sub("", t).strip()
    return core.replace(" ", "").replace("-", "") or t


def match_school(text: str, schools: list[str]) -> str | None:
    """The school in `schools` the user means, tolerant of case, typos, missing æøå and an
    omitted "skole" suffix ("norreskolen", "Nørre", "Nørreskole"). None when unclear."""
    core = _school_core(text)
    if not core:
        return None
    cores = {_school_core(s): s for s in schools}
    if core in cores:
        return cores[core]
    full = {clean(s).replace(" ", ""): s for s in schools}
    if clean(text).replace(" ", "") in full:
        return full[clean(text).replace(" ", "")]
    prefixed = [s for c, s in cores.items() if len(core) >= 4 and c.startswith(core)]
    if len(prefixed) == 1:
        return prefixed[0]
    hit = fuzzy_match(core, cores.keys(), cutoff=0.8)
    if hit:
        return cores[hit]
    # A typo inside the suffix ("nordskolne") hides the core: compare whole names too.
    whole = fuzzy_match(clean(text).replace(" ", ""), full.keys(), cutoff=0.85)
    return full[whole] if whole else None


_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def parse_contact(text: str) -> tuple[str, str]:
    """(value, display) for a Danish phone number or an e-mail address."""
    raw = strip_emoji(text).strip().strip(".,;")
    email = raw.replace(" ", "")
    if "@" in raw:
        if _EMAIL.match(email) and ".." not in email:
            local, domain = email.rsplit("@", 1)
            value = f"{local}@{domain.lower()}"
            return value, value
        raise AnswerError(
            "Mailadressen ser ikke helt rigtig ud. Prøv igen, fx «navn@mail.dk».",
            "Mailen ser ikke rigtig ud. Prøv igen.",
        )
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+45"):
        digits = digits[3:]
    elif digits.startswith("0045"):
        digits = digits[4:]
    if re.fullmatch(r"\d{8}", digits):
        pretty = " ".join(digits[i : i + 2] for i in range(0, 8, 2))
        return "+45" + digits, "+45 " + pretty
    raise AnswerError(
        "Skriv et dansk telefonnummer med 8 cifre eller en mailadresse. "
        "Du kan også skrive «spring over».",
        "Skriv et telefonnummer med 8 cifre eller en mail.",
    )


def parse_text(question: Question, text: str, role: str) -> ParsedAnswer:
    value = (text or "").strip()
    if not strip_emoji(value) and not value:
        raise AnswerError(
            "Jeg fik ikke noget svar. Skriv gerne et par ord, eller skriv «ved ikke».",
            "Jeg fik ikke noget svar. Skriv et par ord, eller «ved ikke».",
        )
    limit = question.max_chars
    if len(value) > limit:
        raise AnswerError(
            f"Det er en lang tekst ({len(value)} tegn). Kan du skrive det kortere, "
            f"højst {limit} tegn? Du kan fortælle mere, når skolekontaktpersonen kontakter dig.",
            f"Din tekst er for lang. Skriv den lidt kortere, højst {limit} tegn.",
        )
    return ParsedAnswer("answered", value, value)
