"""What every HTTP gateway adapter shares: one session, explicit timeouts,
no automatic retries (a repeated send is a second SMS), and failures turned
into ProviderError without the message text, codes or full numbers."""
from __future__ import annotations

from typing import Any

import requests

from contact_rules import mask_phone

from ..ports import ProviderError

TIMEOUT = (3, 10)


class HttpGateway:
    provider = "gateway"

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def post(self, path: str, to_e164: str, **kwargs: Any) -> tuple[int, Any]:
        return self.request("POST", path, to_e164, **kwargs)

    def request(self, method: str, path: str, to_e164: str, **kwargs: Any) -> tuple[int, Any]:
        try:
            response = self.session.request(method, f"{self.base_url}{path}", timeout=TIMEOUT, **kwargs)
        except requests.RequestException as error:
            raise ProviderError(f"{self.provider}: {type(error).__name__} sending to {mask_phone(to_e164)}") from None
        try:
            return response.status_code, response.json()
        except ValueError:
            raise ProviderError(f"{self.provider}: HTTP {response.status_code}, not JSON, "
                                f"sending to {mask_phone(to_e164)}") from None
