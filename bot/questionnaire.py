"""Typed loader for `questionnaire.yaml`, the single source of truth for the interview.

The YAML holds the wording; this module validates it once (pydantic) and offers what the bot
needs: the plan for a role, question texts with the child's name, Rasa buttons and parsing.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot import parsing
from bot.parsing import ParsedAnswer

Role = Literal["parent", "pupil"]
ROLES: tuple[Role, ...] = ("parent", "pupil")
AREA_KEYS: tuple[str, ...] = ("skole", "kammerater", "hjem", "barnet", "fritid")
QuestionType = Literal[
    "scale", "text", "name", "choice", "multichoice", "number", "grade", "school", "contact"
]
QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
# Types whose answer is the person's own words: a message the NLU reads as thanks or a joke is
# still taken as the answer there, never refused as off-topic.
OWN_WORDS_TYPES = frozenset({"text", "name"})
FUNCTIONS = (
    "avoid_negative_feelings",
    "escape_social_evaluative",
    "attention_closeness",
    "tangible_outside_school",
)
QUESTIONNAIRE_PATH = Path(__file__).with_name("questionnaire.yaml")

_ROLE_ALIASES: dict[str, Role] = {
    "parent": "parent",
    "forælder": "parent",
    "foraelder": "parent",
    "forældre": "parent",
    "pupil": "pupil",
    "elev": "pupil",
    "barn": "pupil",
}


def role_key(role: str) -> Role:
    """Map the bot's slot values ("forælder"/"elev") and English keys to a Role."""
    try:
        return _ROLE_ALIASES[role.strip().lower()]
    except KeyError as exc:
        raise ValueError(f"unknown role: {role!r}") from exc


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signal(_Model):
    """The concern kind a high answer raises; bot/profile/rules.yaml says how it counts."""

    kind: str


class Option(_Model):
    value: str | int
    parent: str | None = None
    pupil: str | None = None
    synonyms: list[str] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=lambda: list(ROLES))

    def label(self, role: Role) -> str:
        return (self.pupil if role == "pupil" else self.parent) or self.parent or self.pupil or ""

    def plain_label(self, role: Role) -> str:
        """Label without the leading smiley (for summaries and messages)."""
        return parsing.strip_emoji(self.label(role))


class Scale(_Model):
    key: str = ""
    options: list[Option]
    ambiguous: list[str] = Field(default_factory=list)
    ask_again: dict[Role, str]


class Question(_Model):
    key: str
    type: QuestionType
    parent: str | None = None
    pupil: str | None = None
    optional: bool = False
    roles: list[Role] = Field(default_factory=lambda: list(ROLES))
    scale: str | None = None
    reverse: bool = False
    options: list[Option] = Field(default_factory=list)
    allow_text: bool = False
    classify_areas: bool = False
    # Free text that asks about problems: the only text read for concern signals.
    problem_text: bool = False
    max_chars: int = parsing.MAX_TEXT_CHARS
    min: int | None = None
    max: int | None = None
    signals: list[Signal] = Field(default_factory=list)
    section: str = ""
    # Filled in by the loader so a question can parse itself without a back-reference.
    scale_def: Scale | None = None

    @model_validator(mode="after")
    def _check(self) -> Question:
        for role in self.roles:
            if not getattr(self, role):
                raise ValueError(f"{self.key}: missing text for role {role}")
        if self.type == "scale" and not self.scale:
            raise ValueError(f"{self.key}: scale question needs `scale`")
        if self.type in ("choice", "multichoice") and not self.options:
            raise ValueError(f"{self.key}: {self.type} question needs options")
        return self

    # --- wording -------------------------------------------------------------------------
    def text_for(self, role: Role | str, name: str | None = None) -> str:
        """The question text for `role`, with {name}/{name_s} filled in ("dit barn" if unknown)."""
        r = role_key(role)
        return fill_name((self.pupil if r == "pupil" else self.parent) or "", name)

    def options_for(self, role: Role | str) -> list[Option]:
        r = role_key(role)
        opts = self.scale_def.options if self.scale_def is not None else self.options
        return [o for o in opts if r in o.roles]

    def buttons_for(self, role: Role | str) -> list[tuple[str, str]]:
        """Rasa buttons as (title, payload); payload is `/svar{"svar":"<value>"}`.

        Free-input types (text, number, grade, school, contact) get no answer buttons. Every
        question offers "Vil ikke svare" and, where not knowing makes sense, "Ved ikke"; optional
        questions also "Spring over".
        """
        r = role_key(role)
        buttons: list[tuple[str, str]] = []
        if self.type in ("scale", "choice", "multichoice"):
            for opt in self.options_for(r):
                buttons.append((opt.label(r), svar_payload(str(opt.value))))
        if self.key not in NO_DONT_KNOW:
            buttons.append(("Ved ikke", svar_payload("ved ikke")))
        buttons.append(("Vil ikke svare", svar_payload("vil ikke svare")))
        if self.optional:
            buttons.append(("Spring over", svar_payload("spring over")))
        return buttons

    def parse(self, text: str, role: Role | str, schools: list[str] | None = None) -> ParsedAnswer:
        """Parse a typed or button answer; raises `parsing.AnswerError` with a kind message."""
        return parsing.parse_answer(self, text, role_key(role), schools=schools)


# Questions where "Ved ikke" makes no sense (a person knows their own name and contact).
NO_DONT_KNOW = frozenset({"child_name", "contact"})


def fill_name(template: str, name: str | None) -> str:
    """Fill {name}/{name_s} with the child's name, or "dit barn"/"dit barns" when unknown.

    Question texts avoid adjectives that agree with {name}, so "dit barn" (neuter) reads right.
    """
    clean_name = (name or "").strip()
    if clean_name:
        possessive = clean_name + ("'" if clean_name[-1].lower() in "sxz" else "s")
    else:
        clean_name, possessive = "dit barn", "dit barns"
    text = template.replace("{name_s}", possessive).replace("{name}", clean_name)
    return text[:1].upper() + text[1:]


def svar_payload(value: str) -> str:
    # json.dumps gives valid JSON for any value (quotes, æøå kept readable).
    return "/svar" + json.dumps({"svar": value}, ensure_ascii=False, separators=(",", ":"))


class Section(_Model):
    key: str
    kind: Literal["intro", "area", "outro"]
    title: dict[Role, str]
    # Said before the section's first question ("Nu kommer nogle spørgsmål om ...").
    intro: dict[Role, str] = Field(default_factory=dict)
    questions: list[Question]

    def intro_for(self, role: Role | str, name: str | None = None) -> str | None:
        text = self.intro.get(role_key(role))
        return fill_name(text, name) if text else None


class Questionnaire(_Model):
    version: int
    scales: dict[str, Scale]
    sections: list[Section]

    @model_validator(mode="after")
    def _check(self) -> Questionnaire:
        seen: set[str] = set()
        for q in self.all_questions():
            if q.key in seen:
                raise ValueError(f"duplicate question key {q.key}")
            seen.add(q.key)
            if q.scale and q.scale not in self.scales:
                raise ValueError(f"{q.key}: unknown scale {q.scale}")
        area_keys = tuple(s.key for s in self.sections if s.kind == "area")
        if area_keys != AREA_KEYS:
            raise ValueError(f"areas must be {AREA_KEYS}, got {area_keys}")
        return self

    def all_questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    @property
    def areas(self) -> list[tuple[str, dict[Role, str]]]:
        """The five focus areas in default order: (key, {"parent": title, "pupil": title})."""
        return [(s.key, dict(s.title)) for s in self.sections if s.kind == "area"]

    def area_title(self, area: str, role: Role | str = "parent") -> str:
        r = role_key(role)
        for s in self.sections:
            if s.key == area:
                return s.title[r]
        raise KeyError(area)

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def question(self, key: str) -> Question:
        for q in self.all_questions():
            if q.key == key:
                return q
        raise KeyError(key)

    def plan(self, role: Role | str, area_order: list[str] | None = None) -> list[Question]:
        """Ordered questions for `role`: intro sections, the areas (`area_order` first, then the
        rest in default order), then strengths and wishes. Unknown area keys are ignored."""
        r = role_key(role)
        default = [s.key for s in self.sections if s.kind == "area"]
        order: list[str] = []
        for key in [*(area_order or []), *default]:
            if key in default and key not in order:
                order.append(key)
        by_key = {s.key: s for s in self.sections}
        ordered = (
            [s for s in self.sections if s.kind == "intro"]
            + [by_key[k] for k in order]
            + [s for s in self.sections if s.kind == "outro"]
        )
        return [q for s in ordered for q in s.questions if r in q.roles]


def _attach(raw: dict[str, Any]) -> dict[str, Any]:
    """Inline scale definitions and section keys into each question before validation."""
    scales = {k: {**v, "key": k} for k, v in (raw.get("scales") or {}).items()}
    for section in raw.get("sections") or []:
        for q in section.get("questions") or []:
            q["section"] = section["key"]
            if q.get("scale") in scales:
                q["scale_def"] = scales[q["scale"]]
    raw["scales"] = scales
    return raw


@lru_cache(maxsize=4)
def load_questionnaire(path: Path | str = QUESTIONNAIRE_PATH) -> Questionnaire:
    """Load and validate the questionnaire (cached; the objects are immutable)."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    return Questionnaire.model_validate(_attach(raw))
