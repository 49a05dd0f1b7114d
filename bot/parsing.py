"""Parse what people type (or press) into answers.

Rules that users notice:
- "ved ikke", "spring over" and "det vil jeg ikke svare på" are always understood (typos and
  missing æøå too). They are recognised only in short messages, so a long free-text answer that
  happens to contain "ved ikke" stays a real answer. "Spring over" on a required question is
  refused kindly with a hint that "ved ikke" is fine.
- Scale answers: the button value ("2"), the label, or ordinary words ("næsten altid",
  "sjaeldent", "ikke så tit"). A bare "ja" on a how-often scale is not guessed: we ask how often.
- Free text: up to `MAX_TEXT_CHARS` characters. Longer text is refused with a request to shorten
  it rather than cut silently, so nothing the person meant to say is lost without them knowing.
  Text is kept verbatim (also HTML/SQL-looking input); escaping is the renderer's job.
- Errors are `AnswerError` with a parent and a pupil wording (`message_for(role)`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from bot.danish import plural
from bot.normalize import fold, fuzzy_match, is_typo_of

if TYPE_CHECKING:
    from bot.questionnaire import Option, Question

Status = Literal["answered", "dont_know", "skipped", "refused"]
MAX_TEXT_CHARS = 2000
DAYS_PER_WEEK = 5  # school days


@dataclass(frozen=True)
class ParsedAnswer:
    status: Status
    value: str | int | list[str] | None
    display: str  # Danish, shown in the review before the person confirms


class AnswerError(ValueError):
    """The input could not be used; `message_for(role)` is a kind Danish request to try again."""

    def __init__(self, message: str, pupil_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pupil_message = pupil_message or message

    def message_for(self, role: str) -> str:
        return self.pupil_message if role in ("pupil", "elev") else self.message


# --- helpers --------------------------------------------------------------------------------

_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f1e6-\U0001f1ff]+"
)
_PUNCT = re.compile(r"[^\w\s@+.-]|(?<!\d)[.](?!\d)")
_SVAR = re.compile(r"^\s*/svar\s*(\{.*\})\s*$", re.S)


def strip_emoji(text: str) -> str:
    return _EMOJI.sub("", text).strip()


def _unwrap_payload(text: str) -> str:
    """Accept a raw Rasa payload typed or passed through (`/svar{"svar":"2"}`)."""
    m = _SVAR.match(text or "")
    if m:
        try:
            data = json.loads(m.group(1))
            if isinstance(data, dict) and "svar" in data:
                return str(data["svar"])
        except json.JSONDecodeError:
            pass
    return text or ""


def _clean(text: str) -> str:
    """Folded text without emoji and punctuation, single-spaced."""
    t = fold(strip_emoji(text))
    t = _PUNCT.sub(" ", t)
    return re.sub(r"\s+", " ", t).strip()


def _has_phrase(text: str, phrase: str) -> int:
    """Position of `phrase` in `text` on word boundaries (phrase may be a stem), or -1."""
    m = re.search(r"(?<![a-z0-9])" + re.escape(phrase), text)
    return m.start() if m else -1


# --- "ved ikke" / "spring over" / "vil ikke svare" ------------------------------------------

_META_MAX_WORDS = 8
_REFUSED = re.compile(
    r"vil (helst )?ikke (svare|sige|fortaelle|skrive)|(det|dette) vil jeg (helst )?ikke"
    r"|har ikke lyst til at (svare|sige|skrive)|ingen kommentar|det rager ikke|vil ik svare"
    r"|^vil ikke$|^nej det vil jeg ikke$|^privat$|det er privat"
)
_DONT_KNOW = re.compile(
    r"\bved (det |jeg )?(ikke|ik|ikk|ike|ej)\b|\bved ikke\b|\bved ik\b|\bvet ikke\b|\bvedikke\b"
    r"|\baner (det |jeg )?(ikke|ik)\b|\bingen anelse\b|\bikke sikker\b|^idk$|^aner ikke$"
    r"|\bkan ikke huske\b|\bhusker (det )?ikke\b|^vi ved det ikke$|^hmm+$|^tja$"
)
_SKIP = re.compile(r"^(/spring_over|spring (det )?over|spring|skip|skipper|naeste|videre|pas)$")
_NO_THANKS = re.compile(r"^(nej tak|nej|ingen|helst ikke|nej det behoeves ikke)$")


def classify_meta(text: str, *, optional: bool = False) -> Status | None:
    """Recognise "ved ikke", "spring over" and refusals in a short message; None otherwise."""
    raw = (text or "").strip()
    if raw.startswith("/spring_over"):
        return "skipped"
    t = _clean(raw)
    if not t or len(t.split()) > _META_MAX_WORDS:
        return None
    if _SKIP.match(t) or t.startswith("spring over"):
        return "skipped"
    if _REFUSED.search(t):
        return "refused"
    if _DONT_KNOW.search(t):
        return "dont_know"
    if optional and _NO_THANKS.match(t):
        return "skipped"
    return None


_META_DISPLAY: dict[Status, str] = {
    "dont_know": "Ved ikke",
    "skipped": "Sprunget over",
    "refused": "Vil ikke svare",
    "answered": "",
}


# --- option matching (scale, choice, multichoice) -------------------------------------------

_NEGATION = re.compile(r"(?:ikke|ik|ikk|aldrig saa) (?:saa |saerlig |specielt |rigtig )?$")


def _option_terms(opt: Option) -> list[str]:
    terms = [str(opt.value)]
    for label in (opt.parent, opt.pupil):
        if label:
            terms.append(strip_emoji(label))
    terms.extend(opt.synonyms)
    return [_clean(t) for t in terms if _clean(t)]


def match_option(text: str, options: list[Option], *, scale_like: bool = False) -> Option | None:
    """Best option for `text`: exact value/label/synonym, then phrase search, then typo match.

    With `scale_like`, "ikke X" where X means a high value ("ikke tit") counts as value 1.
    """
    t = _clean(_unwrap_payload(text))
    if not t:
        return None
    for opt in options:
        if t in _option_terms(opt):
            return opt
    # Longest phrase first so "næsten aldrig" beats "aldrig", "ikke så tit" beats "tit".
    terms = sorted(
        ((term, opt) for opt in options for term in _option_terms(opt) if not term.isdigit()),
        key=lambda p: -len(p[0]),
    )
    for term, opt in terms:
        pos = _has_phrase(t, term)
        if pos < 0:
            continue
        negated = _NEGATION.search(t[:pos]) is not None
        if scale_like and negated and isinstance(opt.value, int) and opt.value >= 2:
            low = [o for o in options if o.value == 1]
            return low[0] if low else opt
        return opt
    # Typos: compare each word (and the whole text) with one-word terms.
    single = {term: opt for term, opt in terms if " " not in term}
    for candidate in [t, *t.split()]:
        hit = fuzzy_match(candidate, single.keys())
        if hit is not None:
            return single[hit]
    return None


def _options_sentence(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " eller " + labels[-1]


def parse_scale(question: Question, text: str, role: str) -> ParsedAnswer:
    opts = question.options_for(role)
    scale = question.scale_def
    raw = _unwrap_payload(text).strip()
    t = _clean(raw)
    if re.fullmatch(r"-?\d+", t):
        hit = [o for o in opts if str(o.value) == t]
        if not hit:
            labels = [o.plain_label("parent") for o in opts]
            raise AnswerError(
                f"Vælg en af knapperne: {_options_sentence(labels)}.",
                "Tryk på en af knapperne.",
            )
        return ParsedAnswer("answered", int(hit[0].value), hit[0].plain_label(role))
    if scale is not None and t in {_clean(a) for a in scale.ambiguous}:
        raise AnswerError(scale.ask_again["parent"], scale.ask_again["pupil"])
    opt = match_option(raw, opts, scale_like=True)
    if opt is None:
        labels = [o.plain_label("parent") for o in opts]
        raise AnswerError(
            "Jeg forstod ikke helt svaret. "
            f"Vælg {_options_sentence(labels)}. Du kan også skrive «ved ikke».",
            "Det forstod jeg ikke helt. Tryk på en knap, eller skriv «ved ikke».",
        )
    return ParsedAnswer("answered", int(opt.value), opt.plain_label(role))


def parse_choice(question: Question, text: str, role: str) -> ParsedAnswer:
    opts = question.options_for(role)
    opt = match_option(text, opts)
    if opt is not None:
        return ParsedAnswer("answered", str(opt.value), opt.plain_label(role))
    if question.allow_text:
        return parse_text(question, text, role)
    labels = [o.plain_label(role) for o in opts]
    raise AnswerError(
        f"Jeg forstod ikke helt svaret. Vælg {_options_sentence(labels)}.",
        "Det forstod jeg ikke helt. Tryk på en knap.",
    )


_SPLIT = re.compile(r"\s*(?:,|;|/|\+|&|\n|\bog\b|\bsamt\b)\s*")


def parse_multichoice(question: Question, text: str, role: str) -> ParsedAnswer:
    """Several options from a comma/"og" list or free words. Value: list of option values
    (in questionnaire order); with `allow_text` and no option recognised, the text itself."""
    opts = question.options_for(role)
    raw = _unwrap_payload(text)
    found: set[str] = set()
    full = _clean(raw)
    # Every option named anywhere in the text counts ("morgener og efter weekend") ...
    for opt in opts:
        if any(not t.isdigit() and _has_phrase(full, t) >= 0 for t in _option_terms(opt)):
            found.add(str(opt.value))
    # ... and each comma/"og" part may be a value, a label or a typo of one.
    for part in (_clean(p) for p in _SPLIT.split(raw)):
        opt = match_option(part, opts) if part else None
        if opt is not None:
            found.add(str(opt.value))
    chosen = [o for o in opts if str(o.value) in found]
    if chosen:
        return ParsedAnswer(
            "answered",
            [str(o.value) for o in chosen],
            ", ".join(o.plain_label(role) for o in chosen),
        )
    if question.allow_text:
        return parse_text(question, text, role)
    labels = [o.plain_label(role) for o in opts]
    raise AnswerError(
        f"Jeg forstod ikke helt svaret. Vælg en eller flere: {_options_sentence(labels)}.",
        "Det forstod jeg ikke helt. Tryk på en eller flere knapper.",
    )


# --- numbers --------------------------------------------------------------------------------

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
    t = _clean(text).replace("ca ", "").replace("cirka ", "").replace("omkring ", "")
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


# --- grade ----------------------------------------------------------------------------------

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


# --- school ---------------------------------------------------------------------------------

_SCHOOL_SUFFIX = re.compile(r"\s*(skolen|skole|school|friskole)$")


def _school_core(name: str) -> str:
    t = _clean(name)
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
    full = {_clean(s).replace(" ", ""): s for s in schools}
    if _clean(text).replace(" ", "") in full:
        return full[_clean(text).replace(" ", "")]
    prefixed = [s for c, s in cores.items() if len(core) >= 4 and c.startswith(core)]
    if len(prefixed) == 1:
        return prefixed[0]
    hit = fuzzy_match(core, cores.keys(), cutoff=0.8)
    if hit:
        return cores[hit]
    # A typo inside the suffix ("nordskolne") hides the core: compare whole names too.
    whole = fuzzy_match(_clean(text).replace(" ", ""), full.keys(), cutoff=0.85)
    return full[whole] if whole else None


# --- contact --------------------------------------------------------------------------------

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


# --- text -----------------------------------------------------------------------------------


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


# --- entry point ----------------------------------------------------------------------------


def _is_exact_option(question: Question, text: str, role: str) -> bool:
    if question.type not in ("scale", "choice", "multichoice"):
        return False
    t = _clean(text)
    return any(t in _option_terms(opt) for opt in question.options_for(role))


def parse_answer(
    question: Question, text: str, role: str, schools: list[str] | None = None
) -> ParsedAnswer:
    """Parse `text` as an answer to `question` for `role` ("parent"/"pupil")."""
    text = text if isinstance(text, str) else str(text)
    unwrapped = _unwrap_payload(text)
    if not unwrapped.strip():
        raise AnswerError(
            "Jeg fik ikke noget svar. Skriv gerne igen, eller skriv «ved ikke».",
            "Jeg fik ikke noget svar. Prøv igen, eller skriv «ved ikke».",
        )
    # "nej"/"ingen" skip an optional question, unless it is one of its options ("Nej, ingen").
    no_thanks_skips = question.optional and not _is_exact_option(question, unwrapped, role)
    meta = classify_meta(
        text if text.startswith("/spring_over") else unwrapped, optional=no_thanks_skips
    )
    if meta == "skipped" and not question.optional:
        raise AnswerError(
            "Det spørgsmål kan ikke springes over, men du må gerne skrive «ved ikke».",
            "Det her kan du ikke springe over. Du må gerne skrive «ved ikke».",
        )
    if meta is not None:
        return ParsedAnswer(meta, None, _META_DISPLAY[meta])
    kind = question.type
    if kind == "scale":
        return parse_scale(question, unwrapped, role)
    if kind == "choice":
        return parse_choice(question, unwrapped, role)
    if kind == "multichoice":
        return parse_multichoice(question, unwrapped, role)
    if kind == "number":
        n = parse_days(
            unwrapped, question.min or 0, question.max if question.max is not None else 23
        )
        return ParsedAnswer("answered", n, plural(n, "dag", "dage"))
    if kind == "grade":
        g = parse_grade(unwrapped)
        return ParsedAnswer("answered", g, grade_display(g))
    if kind == "school":
        if schools:
            hit = match_school(unwrapped, schools)
            if hit is None:
                raise AnswerError(
                    "Jeg kan ikke finde den skole. Prøv at skrive navnet igen, "
                    "eller skriv «ved ikke».",
                    "Den skole kender jeg ikke. Prøv igen, eller skriv «ved ikke».",
                )
            return ParsedAnswer("answered", hit, hit)
        return parse_text(question, unwrapped, role)
    if kind == "contact":
        value, display = parse_contact(unwrapped)
        return ParsedAnswer("answered", value, display)
    return parse_text(question, unwrapped, role)


def is_typo_tolerant_equal(a: str, b: str) -> bool:
    """Exposed for callers that compare single words (e.g. names of areas)."""
    return is_typo_of(a, b)


def as_jsonable(answer: ParsedAnswer) -> dict[str, Any]:
    return {"status": answer.status, "value": answer.value, "display": answer.display}
