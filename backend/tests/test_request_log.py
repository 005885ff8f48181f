"""One log line per API request (docs/operations.md), carrying the request id and the conversation's
pseudonym the action server sends; a header value that is no such id is left out, never logged."""
from __future__ import annotations

import logging

from conftest import API_KEY


def lines(caplog) -> list[dict]:
    return [vars(record) for record in caplog.records if record.name == "recovery.requests"]


def test_a_request_is_one_line_with_the_action_servers_ids(backend, caplog):
    with caplog.at_level(logging.INFO, logger="recovery.requests"):
        backend.client.get("/api/v1/office-hours", headers={
            "X-API-Key": API_KEY, "X-Request-ID": "r-kaleadlmdbgikhch", "X-Conversation-Ref": "c-fjgfdppnggmmppfj"})
        backend.client.get("/api/v1/health")
    [line] = lines(caplog)
    assert (line["event"], line["request_id"], line["conversation"]) == ("request", "r-kaleadlmdbgikhch",
                                                                        "c-fjgfdppnggmmppfj")
    assert (line["route"], line["method"], line["status"]) == ("/api/v1/office-hours", "GET", 200)
    assert isinstance(line["ms"], int)


def test_a_header_that_is_no_id_is_not_logged(backend, caplog):
    with caplog.at_level(logging.INFO, logger="recovery.requests"):
        backend.client.get("/api/v1/office-hours", headers={
            "X-API-Key": API_KEY, "X-Request-ID": "jan@example.pl 601234567", "X-Conversation-Ref": "x" * 65})
    [line] = lines(caplog)
    assert line["request_id"] is None and line["conversation"] is None
