"""Issue 9 L11 and the contract: schemathesis generates requests from the backend's own OpenAPI
document; every answer must be documented there (status, content type, body schema) and none
may be a server error. Bounded (few examples per operation) to stay fast."""
from __future__ import annotations

import pytest
import schemathesis
from conftest import API_KEY, make_backend
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)


@pytest.fixture
def api_schema(tmp_path_factory):
    backend = make_backend(tmp_path_factory.mktemp("contract"))
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", backend.client.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_answer_is_in_the_contract(case):
    case.call_and_validate(headers={"X-API-Key": API_KEY, **(case.headers or {})},
                           checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance, unsupported_method, allow_header_conformance,
                                   positive_data_acceptance])


def test_the_document_describes_keys_tokens_and_errors(backend):
    spec = backend.client.get("/api/v1/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKeyHeader"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": spec["components"]["securitySchemes"]["APIKeyHeader"]["description"]}
    hint = spec["paths"]["/api/v1/recovery/email-hint"]["get"]
    assert {p["name"] for p in hint["parameters"]} >= {"x-recovery-token", "x-conversation-id"}
    assert {"200", "400", "401", "403", "422"} <= set(hint["responses"])
    assert {"429"} <= set(spec["paths"]["/api/v1/phone-verifications"]["post"]["responses"])
    assert {"404"} <= set(spec["paths"]["/api/v1/cases/{case_number}"]["patch"]["responses"])
    assert {"410"} <= set(spec["paths"]["/email-change/confirm"]["get"]["responses"])
