"""Issue 11 #7: liveness, readiness (database, phone index age) and Prometheus metrics;
issue 17 #4: the metrics need a token and no counter tells a registered number."""
from __future__ import annotations

import re

from conftest import make_backend

METRICS_TOKEN = "metrics-token-0123456789"


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


def scrape(backend) -> str:
    answer = backend.client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200
    return answer.text


def test_metrics_count_verifications_deliveries_cases_and_latency(tmp_path):
    backend = make_backend(tmp_path, METRICS_TOKEN=METRICS_TOKEN)
    verification = backend.start("+48601234567").json()["verification_id"]
    backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "000000"})
    backend.verified_token("+48602345678", "conv-2")
    backend.post("/api/v1/cases", {"reason": "documents", "channel": "web", "conversation_id": "c", "summary": "s"})
    text = scrape(backend)
    assert metric(text, "recovery_verifications_started_total", kind="sms") == 2
    assert metric(text, "recovery_verifications_proven_total", kind="sms") == 1
    assert metric(text, "recovery_verifications_failed_total", reason="wrong_code") >= 1
    assert metric(text, "recovery_deliveries_total", channel="phone", outcome="sent") == 2
    assert metric(text, "recovery_cases_total", reason="documents") == 1
    assert metric(text, "recovery_http_request_seconds_count", route="/api/v1/phone-verifications", method="POST",
                  status="202") == 2
    assert "601234567" not in text and "conv-2" not in text


def test_metrics_need_the_token(tmp_path):
    backend = make_backend(tmp_path, METRICS_TOKEN=METRICS_TOKEN)
    assert backend.client.get("/metrics").status_code == 404
    assert backend.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert "recovery_" in scrape(backend)
    assert make_backend(tmp_path / "off").client.get("/metrics").status_code == 404  # no token set: no metrics


def counters(text: str) -> dict:
    """Every sample but answer times (those are measured, not counted)."""
    return {line.rsplit(" ", 1)[0]: line.rsplit(" ", 1)[1] for line in text.splitlines()
            if line.startswith("recovery_") and "_created" not in line and "http_request_seconds" not in line}


def test_no_counter_moves_differently_for_a_registered_number(tmp_path):
    seen = {}
    for kind, phone in (("registered", "+48601234567"), ("unregistered", "+48609999888")):
        backend = make_backend(tmp_path / kind, METRICS_TOKEN=METRICS_TOKEN)
        verification = backend.start(phone, f"metrics-{kind}").json()["verification_id"]
        backend.post(f"/api/v1/phone-verifications/{verification}/check", {"code": "000000"})
        backend.client.app.state.services.outbox.join()
        seen[kind] = counters(scrape(backend))
    assert seen["registered"] == seen["unregistered"]
    assert any("deliveries" in name for name in seen["registered"])
