"""Items 1 and 7: first-login password change, throttling with back-off, audit, policy."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sec_helpers import STRONG, login
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.main import create_app
from bot.db.models import AuditEvent
from bot.passwords import password_problem
from bot.seed import seed_demo


def _token(client: TestClient, user: str, password: str, ip: str = "testclient"):
    return client.post("/api/v1/auth/token", data={"username": user, "password": password})


def test_seeded_account_must_choose_a_new_password(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEED_PASSWORD_CHANGE", "true")
    from bot.config import get_settings

    get_settings.cache_clear()
    seed_demo()
    client = TestClient(create_app())
    first = _token(client, "kontakt1", "demo1234")
    assert first.status_code == 403 and first.headers["X-Password-Change"] == "required"
    assert "ny adgangskode" in first.json()["detail"]
    change = "/api/v1/auth/password"
    weak = client.post(
        change,
        data={"username": "kontakt1", "password": "demo1234", "new_password": "velkommen2024!!"},
    )
    assert weak.status_code == 422 and "almindelig" in weak.json()["detail"]
    ok = client.post(
        change, data={"username": "kontakt1", "password": "demo1234", "new_password": STRONG}
    )
    assert ok.status_code == 200 and ok.json()["access_token"]
    assert _token(client, "kontakt1", "demo1234").status_code == 401
    assert _token(client, "kontakt1", STRONG).status_code == 200
    # The login page carries the fields for the new password.
    assert 'id="new-password"' in client.get("/medarbejder").text


def test_password_policy() -> None:
    assert "12 tegn" in (password_problem("kort1234") or "")
    for common in ("password1234", "Adgangskode123!", "qwertyuiop12", "aaaaaaaaaaaaaa"):
        assert password_problem(common), common
    assert password_problem("kontakt1-er-min-kode", "kontakt1")
    assert password_problem(STRONG) is None


def test_login_throttled_per_account_with_audit(client: TestClient, db: Session) -> None:
    for _ in range(5):
        assert _token(client, "kontakt1", "forkert").status_code == 401
    blocked = _token(client, "kontakt1", "demo1234")  # even the right password waits now
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "For mange" in blocked.json()["detail"]
    assert _token(client, "kontakt2", "demo1234").status_code == 200  # others unaffected
    failed = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
    assert len(failed) == 5 and failed[0].details == {"username": "kontakt1"}


def test_login_throttled_per_client_across_accounts(client: TestClient) -> None:
    # One client spraying many user names is stopped too (20 failures per window).
    codes = [_token(client, f"bruger{i}", "forkert").status_code for i in range(21)]
    assert codes[:20] == [401] * 20 and codes[20] == 429
    assert _token(client, "kontakt1", "demo1234").status_code == 429


def test_admin_cannot_set_a_weak_password(client: TestClient) -> None:
    h = login(client, "admin")
    r = client.post(
        "/api/v1/admin/workers",
        headers=h,
        json={"username": "kontakt9", "password": "12345678", "role": "worker"},
    )
    assert r.status_code == 422
