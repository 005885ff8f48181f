"""Prometheus metrics of one backend process (GET /metrics, behind METRICS_TOKEN). Counts and
durations only: no label ever carries a phone, an address, a conversation or a token, and no
counter moves for a registered number differently than for any other (issue 17 #4)."""
from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE_LATEST  # re-exported for the route
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
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
            "recovery_deliveries_total", "Outbox rows by channel and outcome; phone counts every start's row "
            "(SMS, call, or the stand-in of a number that gets neither)", ["channel", "outcome"], registry=self.registry)
        # Which cap refused a call start (number, conversation, daily_budget): never which number.
        self.call_caps_hit = Counter(
            "recovery_call_caps_hit_total", "Call starts refused by a call cap", ["cap"], registry=self.registry)
        self.cases = Counter("recovery_cases_total", "Recovery cases opened", ["reason"], registry=self.registry)
        self.latency = Histogram(
            "recovery_http_request_seconds", "Backend answer time", ["route", "method", "status"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=self.registry)

    def delivery(self, kind: str, outcome: str) -> None:
        # A start queues an SMS or a call for a registered number and "none" for any other number:
        # counted apart, the SMS and call counts would rise only for registered numbers.
        self.deliveries.labels("email" if kind == "email" else "phone", outcome).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
