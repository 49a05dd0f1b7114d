"""Schemathesis against the API's OpenAPI document: no 5xx, no response off the schema.

Validation errors (422) carry the API's own Danish body, {"detail": "<text>", "errors":
[{"field", "message", "type"}]}, which the OpenAPI document declares; they are checked against
the schema like every other status, and their Danish detail is checked on top.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from intake_driver import worker_token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)


@pytest.fixture(scope="module")
def token(stack) -> str:
    return worker_token(stack.api_url)


@pytest.fixture(scope="module")
def api_schema(stack):
    return schemathesis.openapi.from_url(f"{stack.api_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, stack, token) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    response = case.call(base_url=stack.api_url, headers=headers, timeout=30)
    checks = [not_a_server_error, content_type_conformance, response_schema_conformance]
    if response.status_code == 422:
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"], body
    case.validate_response(response, checks=checks, headers=headers)
