"""A case's profile and summary: the consenting respondents' rows mapped to the pure inputs of
bot/profile and bot/summary (times in Danish local time), and the stored profile snapshots.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import (
    Case,
    ProfileSnapshot,
    Respondent,
)
from bot.profile import AnswerRecord, Profile, TextSignal, build_profile
from bot.questionnaire import load_questionnaire
from bot.risk import detect_risk
from bot.summary import RISK_LABELS, ROLE_LABELS, render_summary, summary_dict


def consenting_respondents(case: Case) -> list[Respondent]:
    """Only what people consented to share reaches the worker."""
    return [r for r in case.respondents if r.has_consent]


LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


URGENT_TEXT_MAX = 500


# Danger kinds the summary has no label for (raised by intent, not by words).
_EXTRA_RISK_LABELS = {
    "acute_danger": "Akut fare (føler sig ikke tryg)",
    "danger": "Faresignal",
}


def _local(dt: datetime | None) -> datetime | None:
    return dt.astimezone(LOCAL_TZ) if dt is not None else None


def _resp_role(resp: Respondent) -> str:
    return "pupil" if (resp.role or resp.consent_role) == "pupil" else "parent"


@dataclass
class CaseInputs:
    """What the pure profile/summary functions need, read from one case's rows."""

    case_info: dict[str, Any]
    answers: list[AnswerRecord]
    signals: list[TextSignal]
    urgent_signals: list[dict[str, Any]]
    consents: list[dict[str, Any]]


def _urgent_signals(respondents: list[Respondent]) -> list[dict[str, Any]]:
    """One entry per message that raised danger: its kinds and the words that raised them.

    The words come from `detect_risk` on the stored message; the whole message follows (cut at
    URGENT_TEXT_MAX) so the worker also sees danger the word list may have missed.
    """
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for resp in respondents:
        for sig in sorted(resp.signals, key=lambda s: (s.created_at, s.id)):
            if not sig.urgent:
                continue
            text = (sig.source_text or "").strip()
            entry = groups.setdefault(
                (resp.id, text),
                {"kinds": [], "matches": [], "role": _resp_role(resp), "at": sig.created_at},
            )
            label = sig.kind if sig.kind in RISK_LABELS else _EXTRA_RISK_LABELS.get(sig.kind)
            label = label or sig.kind
            if label not in entry["kinds"]:
                entry["kinds"].append(label)
    out = []
    for (_, text), entry in groups.items():
        if text:
            matches = list(detect_risk(text).matches)
            short = text if len(text) <= URGENT_TEXT_MAX else text[: URGENT_TEXT_MAX - 1] + "…"
            if short not in matches:
                matches.append(short)
            entry["matches"] = matches
        out.append(entry)
    out.sort(key=lambda e: e["at"])
    for entry in out:
        entry["at"] = _local(entry["at"])
    return out


def _consents(case: Case) -> list[dict[str, Any]]:
    """The consent record of every respondent of the case, also when declined or withdrawn."""
    out = []
    for resp in sorted(case.respondents, key=lambda r: r.id):
        if resp.consent_at is None:
            continue
        scope = resp.consent_scope or ""
        if resp.consent_withdrawn_at is not None:
            scope = f"{scope} (trukket tilbage)"
        out.append(
            {
                "scope": scope,
                "given_by": ROLE_LABELS[_role_key(resp.consent_role or _resp_role(resp))],
                "at": _local(resp.consent_withdrawn_at or resp.consent_at),
                "granted": resp.has_consent,
            }
        )
    return out


def _role_key(role: str) -> str:
    return "pupil" if role in ("pupil", "elev") else "parent"


def case_inputs(case: Case) -> CaseInputs:
    respondents = sorted(
        consenting_respondents(case), key=lambda r: (_resp_role(r) != "parent", r.id)
    )
    answers: list[AnswerRecord] = []
    signals: list[TextSignal] = []
    for resp in respondents:
        role = _resp_role(resp)
        for a in sorted(resp.answers, key=lambda a: (a.answered_at, a.id)):
            answers.append(AnswerRecord(a.question_key, a.status, a.value, a.free_text, role))
        for s in sorted(resp.signals, key=lambda s: s.id):
            # Danger signals have their own section; cause signals feed the area levels.
            if s.urgent or s.area is None:
                continue
            signals.append(
                TextSignal(s.area, s.kind, s.source_text or "", s.question_key or "", role)
            )
    created = _local(case.created_at)
    info = {
        "child_name": case.pupil_alias or "",
        "grade": case.grade if case.grade is not None else "",
        "school": (case.school.name if case.school is not None else case.school_name) or "",
        "case_id": case.reference or "",
        "created_at": created.date() if created is not None else None,
    }
    return CaseInputs(info, answers, signals, _urgent_signals(respondents), _consents(case))


@dataclass
class CaseReport:
    """A case's profile (stored as a snapshot) with the inputs its summary is rendered from."""

    inputs: CaseInputs
    profile: Profile
    snapshot: ProfileSnapshot

    @property
    def profile_data(self) -> dict[str, Any]:
        return dict(self.snapshot.data)

    def _kwargs(self) -> dict[str, Any]:
        return {
            "urgent_signals": self.inputs.urgent_signals,
            "consents": self.inputs.consents,
            "questionnaire": load_questionnaire(),
        }

    def summary(self) -> dict[str, Any]:
        data = summary_dict(
            self.inputs.case_info, self.profile, self.inputs.answers, **self._kwargs()
        )
        return _jsonable(data)

    def render(self, fmt: Literal["text", "html", "print"] = "html") -> str:
        return render_summary(
            self.inputs.case_info, self.profile, self.inputs.answers, fmt=fmt, **self._kwargs()
        )


def compute_profile(case: Case) -> tuple[CaseInputs, Profile, dict[str, Any]]:
    inputs = case_inputs(case)
    profile = build_profile(inputs.answers, inputs.signals, load_questionnaire())
    data = json.loads(json.dumps(profile.to_dict(), default=str))
    return inputs, profile, data


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def _newest_snapshot(session: Session, case: Case) -> ProfileSnapshot | None:
    return session.scalar(
        select(ProfileSnapshot)
        .where(ProfileSnapshot.case_id == case.id)
        .order_by(ProfileSnapshot.id.desc())
    )


def case_report(session: Session, case: Case, created_by: str = "system") -> CaseReport:
    """The current profile. A new snapshot is stored only when it differs from the newest one
    (e.g. the pupil answered since), so the history shows every change without duplicates."""
    inputs, profile, data = compute_profile(case)
    snap = _newest_snapshot(session, case)
    if snap is None or snap.data != data:
        snap = _store_snapshot(session, case, data, created_by)
    return CaseReport(inputs, profile, snap)


def _store_snapshot(
    session: Session, case: Case, data: dict[str, Any], created_by: str
) -> ProfileSnapshot:
    snap = ProfileSnapshot(case_id=case.id, data=data, created_by=created_by[:120])
    session.add(snap)
    session.flush()
    return snap


def latest_profile(session: Session, case: Case, created_by: str = "system") -> dict[str, Any]:
    return case_report(session, case, created_by).profile_data


def rerun_profile(session: Session, case: Case, created_by: str = "system") -> ProfileSnapshot:
    """Explicit re-run by a worker: always stores a new snapshot (history is kept)."""
    _, _, data = compute_profile(case)
    return _store_snapshot(session, case, data, created_by)


def profile_history(session: Session, case: Case) -> list[ProfileSnapshot]:
    return list(
        session.scalars(
            select(ProfileSnapshot)
            .where(ProfileSnapshot.case_id == case.id)
            .order_by(ProfileSnapshot.id)
        )
    )


def snapshot_info(snap: ProfileSnapshot, *, with_data: bool = False) -> dict[str, Any]:
    info: dict[str, Any] = {
        "id": snap.id,
        "created_at": snap.created_at,
        "created_by": snap.created_by,
    }
    if with_data:
        info["data"] = snap.data
    return info


def render_summary_html(
    session: Session, case: Case, fmt: Literal["text", "html", "print"] = "html"
) -> str:
    return case_report(session, case).render(fmt)
