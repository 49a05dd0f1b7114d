"""The promises the chat makes are true: their numbers come from the settings the software
runs on, one name is used for the worker, and what consent means is said plainly.

Reads every user-facing text: domain.yml responses, bot/messages.py and the chat page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import intake, messages
from bot.config import get_settings
from bot.db import Respondent, utcnow

ROOT = Path(__file__).resolve().parents[2]
# A number of days or "a few days" written into a text instead of taken from the settings.
HARD_CODED_DAYS = re.compile(r"\b(\d+|få|nogle|par)\s+(arbejds)?dage?\b", re.IGNORECASE)
# Any name for the worker other than "skolekontaktperson".
OTHER_NAME = re.compile(r"(?<!skole)kontaktperson", re.IGNORECASE)


def _domain_texts() -> list[str]:
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [v.get("text") or "" for variants in data["responses"].values() for v in variants]


def _raw_message_texts() -> list[str]:
    return [text for _key, _variant, text in messages.all_texts()]


def _page_texts() -> list[str]:
    return [(ROOT / "api/templates/web/chat.html").read_text(encoding="utf-8")]


ALL_TEXTS = [*_domain_texts(), *_raw_message_texts(), *_page_texts()]


@pytest.fixture
def promises(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Unusual values, so a number written into a text by hand cannot pass by chance."""
    values = {
        "RETENTION_DAYS": 211,
        "UNFINISHED_CHAT_DAYS": 17,
        "CONTACT_WITHIN_WORKING_DAYS": 4,
        "PUPIL_CONSENT_AGE": 16,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_no_text_hard_codes_a_number_of_days(text: str) -> None:
    assert not HARD_CODED_DAYS.search(text), text


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_the_worker_has_one_name(text: str) -> None:
    assert not OTHER_NAME.search(text), text


@pytest.mark.parametrize("role", ["parent", "pupil"])
def test_consent_states_the_numbers_from_the_settings(promises, role: str) -> None:
    for key in ("consent", "consent_young") if role == "pupil" else ("consent",):
        text = messages.text(key, role)
        assert "211 dage" in text, text  # kept after the case closes
        assert "17 dage" in text, text  # an unfinished chat
        assert "4 arbejdsdage" in text, text  # the contact promise
        assert "skolekontaktperson" in text.lower()
        # Saved as typed, and can be deleted.
        assert "gemt, mens du skriver" in text and "slette" in text
    assert "16 år" in messages.text("consent", "pupil")
    assert "16 år" in messages.text("consent_young", "pupil")


def test_consent_says_the_duty_to_notify_can_act_without_consent() -> None:
    assert "uden dit ja" in messages.text("consent", "parent")
    assert "underretningspligt" in messages.text("consent", "parent")
    for key in ("consent", "consent_young"):
        assert "også hvis du siger nej" in messages.text(key, "pupil").lower()


def test_a_young_pupil_is_told_the_parents_will_be_involved(promises) -> None:
    text = messages.text("consent_young", "pupil")
    assert "under 16 år" in text and "forældre" in text


def test_questions_about_storage_and_next_steps_use_the_settings(promises) -> None:
    for role in ("parent", "pupil"):
        storage = messages.text("faq_storage", role)
        assert "211 dage" in storage and "17 dage" in storage
        assert "4 arbejdsdage" in messages.text("faq_what_next", role)
        assert "4 arbejdsdage" in messages.text("confirmed", role, reference="SB-1")


def test_an_unfinished_chat_is_deleted_after_the_promised_days(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.retention import purge_expired

    monkeypatch.setenv("UNFINISHED_CHAT_DAYS", "17")
    get_settings.cache_clear()
    for conv in ("old", "recent"):
        intake.record_consent(conv, "parent", "x", True)
        intake.save_answer(conv, "child_name", "answered", "Mads", "Mads")
    old = db.scalar(select(Respondent).where(Respondent.conversation_id == "old"))
    recent = db.scalar(select(Respondent).where(Respondent.conversation_id == "recent"))
    old.last_seen_at = utcnow() - timedelta(days=18)
    recent.last_seen_at = utcnow() - timedelta(days=16)
    db.commit()
    assert purge_expired()["respondents"] == 1
    assert intake.get_answers("old") == {}
    assert intake.get_answers("recent")["child_name"]["display"] == "Mads"
