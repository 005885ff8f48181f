"""Who sent a web-chat message, as the channel saw it: the client's address, for the backend's
per-client limits (issue 17 #1). Only the anonymous web chat sets it: Telegram and Slack users are
their conversation already, and REST callers are integrations holding a token, whose one address
may front many customers (their conversations are counted instead). It travels like the phone attestation — message metadata set here, never
taken from the client (channels drop client metadata), read by the action server and passed to
the backend as `X-Client-Key` — and is dropped before the conversation is stored.

Behind a proxy, Sanic reports the address the proxy saw only when told how many proxies to trust
(`SANIC_PROXIES_COUNT`, docs/deploy.md); otherwise the peer's address is used, which behind an
unconfigured proxy makes every customer one client."""
from __future__ import annotations

from typing import Any, Optional

METADATA_KEY = "client_key"


def address(request: Any) -> Optional[str]:
    """The client's address from a Sanic request (the trusted proxy's header when configured)."""
    if request is None:
        return None
    return getattr(request, "remote_addr", "") or getattr(request, "ip", "") or None


def metadata(request: Any) -> dict[str, Any]:
    found = address(request)
    return {METADATA_KEY: found} if found else {}
