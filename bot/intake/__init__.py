"""Facade the Rasa action server calls: one short transaction per call, plain Python types.

Privacy rules enforced here rather than in the dialogue:
- a conversation starts with no personal data at all;
- answers and signals are stored only after consent and are removed on withdrawal or
  "slet mine svar";
- an urgent signal before consent is counted anonymously (no text, no conversation id).

The parts: respondents (who is talking, codes), schools, consent (and deletion), access
(invitation and resume codes), answers, signals, submission (the case).
"""

from bot.codes import CODE_ALPHABET, RESUME_CODE_LENGTH, normalize_code
from bot.intake.access import create_resume_code, invitation_valid, redeem_invitation, resume
from bot.intake.answers import (
    answered_in,
    answered_keys,
    answers_for_chat,
    get_answers,
    respondent_and_answered,
    save_answer,
    save_in,
)
from bot.intake.consent import delete_answers, has_consent, record_consent, withdraw_consent
from bot.intake.respondents import (
    new_code,
    new_resume_code,
    not_started,
    progress,
    respondent_in,
    set_role,
    start_conversation,
)
from bot.intake.schools import (
    danish_sort_key,
    list_schools,
    municipality,
    school_contact,
    schools_in,
)
from bot.intake.signals import add_signal, record_signal
from bot.intake.submission import ConsentRequired, case_reference, confirm_case

__all__ = [
    "CODE_ALPHABET",
    "RESUME_CODE_LENGTH",
    "ConsentRequired",
    "add_signal",
    "answered_in",
    "answered_keys",
    "answers_for_chat",
    "case_reference",
    "confirm_case",
    "create_resume_code",
    "danish_sort_key",
    "delete_answers",
    "get_answers",
    "has_consent",
    "invitation_valid",
    "list_schools",
    "municipality",
    "new_code",
    "new_resume_code",
    "normalize_code",
    "not_started",
    "progress",
    "record_consent",
    "respondent_and_answered",
    "record_signal",
    "redeem_invitation",
    "resume",
    "respondent_in",
    "save_answer",
    "save_in",
    "school_contact",
    "schools_in",
    "set_role",
    "start_conversation",
    "withdraw_consent",
]
