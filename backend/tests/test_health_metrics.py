"""Issue 11 #7: liveness, readiness (database, phone index age) and Prometheus metrics."""
from __future__ import annotations

import re

from conftest import make_backend


def metric(text: str, name: str, **labels) -> float:
    for found_labels, value in re.findall(rf"^{name}{{(.*)}} (\S+)$", text, re.M):
        if dict(re.findall(r'(\w+)="([^"]*)"', found_labels)) == labels:
            return float(value)
    return 0.0


def test_live_and_ready_without_a_key(backend):
    assert backend.client.get("/healthz").json() == {"status": "ok"}
    ready = backend.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    assert backend.client.get("/api/v1/health").json() == {"status": "ok"}


def test_not_ready_until_the_whmcs_phone_index_was_synced(tmp_path):
    from fake_whmcs import IDENTIFIER, SECRET, FakeWhmcs
    fake = FakeWhmcs()
    fake.latency = 0.3  # the first sync takes a while
    try:
        backend = make_backend(tmp_path, ACCOUNT_SOURCE="whmcs", WHMCS_URL=fake.url, WHMCS_IDENTIFIER=IDENTIFIER,
                               WHMCS_SECRET=SECRET)
        early = backend.client.get("/readyz")
        assert early.status_code == 503 and early.json()["phone_index_age_seconds"] is None
        import time
        deadline = time.monotonic() + 30
        while backend.client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 0 <= backend.client.get("/readyz").json()["phone_index_age_seconds"] < 30
    finally:
        fake.close()


def test_metrics_count_verifications_deliveries_cases_and_latency(backend):
    verification = backend.start("+48601234567").json()["verification_id"]
    backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "000000"})
    backend.verified_token("+48602345678", "conv-2")
    backend.post("/api/v1/cases", {"reason": "documents", "channel": "web", "conversation_id": "c", "summary": "s"})
    text = backend.client.get("/metrics").text
    assert metric(text, "recovery_verifications_started_total", kind="sms") == 2
    assert metric(text, "recovery_verifications_proven_total", kind="sms") == 1
    assert metric(text, "recovery_verifications_failed_total", reason="wrong_code") >= 1
    assert metric(text, "recovery_deliveries_total", kind="sms", outcome="sent") == 2
    assert metric(text, "recovery_cases_total", reason="documents") == 1
    assert metric(text, "recovery_http_request_seconds_count", route="/api/v1/phone-verifications", method="POST",
                  status="202") == 2
    assert "601234567" not in text and "conv-2" not in text
