"""Fixtures of the security suite: an API client on a fresh, seeded database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.main import create_app
from bot.seed import seed_demo


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    seed_demo()
    yield TestClient(create_app())
