"""The cause profile: scoring rule as data (rules.yaml), typed loader, pure builder."""

from bot.profile.model import (
    AbsencePattern,
    AnswerRecord,
    AreaResult,
    AttendanceHypothesis,
    Disagreement,
    FunctionHypothesis,
    OpenQuestion,
    Profile,
    Resource,
    SignalEvidence,
    TextSignal,
)
from bot.profile.rules import Rules, load_rules
from bot.profile.scoring import build_profile

__all__ = [
    "AbsencePattern",
    "AnswerRecord",
    "AreaResult",
    "AttendanceHypothesis",
    "Disagreement",
    "FunctionHypothesis",
    "OpenQuestion",
    "Profile",
    "Resource",
    "Rules",
    "SignalEvidence",
    "TextSignal",
    "build_profile",
    "load_rules",
]
