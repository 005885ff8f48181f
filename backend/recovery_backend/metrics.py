"""Prometheus metrics of one backend process (GET /metrics). Counts and durations only:
no label ever carries a phone, an address, a conversation or a token."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST  # noqa: F401  (re-exported for the route)


class Metrics:
    def __init__(self):
        # One registry per app: tests build many apps in one process.
        self.registry = CollectorRegistry()
        self.verifications_started = Counter(
            "recovery_verifications_started_total", "Phone verifications started", ["kind"], registry=self.registry)
        self.verifications_proven = Counter(
            "recovery_verifications_proven_total", "Phone verifications that earned a token", ["kind"],
            registry=self.registry)
        self.verifications_failed = Counter(
            "recovery_verifications_failed_total", "Code checks that did not verify", ["reason"],
            registry=self.registry)
        self.deliveries = Counter(
            "recovery_deliveries_total", "SMS and e-mails from the outbox by outcome", ["kind", "outcome"],
            registry=self.registry)
        # Which cap refused a call start (number, conversation, daily_budget): never which number.
        self.call_caps_hit = Counter(
            "recovery_call_caps_hit_total", "Call starts refused by a call cap", ["cap"], registry=self.registry)
        self.cases = Counter("recovery_cases_total", "Recovery cases opened", ["reason"], registry=self.registry)
        self.latency = Histogram(
            "recovery_http_request_seconds", "Backend answer time", ["route", "method", "status"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=self.registry)

    def delivery(self, kind: str, outcome: str) -> None:
        if kind != "none":
            self.deliveries.labels(kind, outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
