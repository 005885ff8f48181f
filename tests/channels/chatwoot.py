"""The fake Chatwoot (backend/tests/fake_chatwoot.py, standard library only) for whole-stack tests,
and the settings that connect a test stack to it."""
from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path

_FILE = Path(__file__).resolve().parents[2] / "backend" / "tests" / "fake_chatwoot.py"
_spec = importlib.util.spec_from_file_location("fake_chatwoot", _FILE)
fake_chatwoot = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fake_chatwoot)
FakeChatwoot = fake_chatwoot.FakeChatwoot

OFFICE_OPEN = "2026-11-30T11:00:00+01:00"     # a Monday
OFFICE_CLOSED = "2026-11-28T11:00:00+01:00"   # a Saturday


def chatwoot_env(fake, rasa_port: int) -> dict[str, str]:
    """HUMAN_INBOX=chatwoot on the backend, the hand-over channel on Rasa, sharing one push token."""
    token = secrets.token_urlsafe(24)
    return {"HUMAN_INBOX": "chatwoot", "CHATWOOT_URL": fake.url, "CHATWOOT_API_TOKEN": fake_chatwoot.TOKEN,
            "CHATWOOT_ACCOUNT_ID": str(fake_chatwoot.ACCOUNT), "CHATWOOT_INBOX_ID": str(fake_chatwoot.INBOX),
            "CHATWOOT_WEBHOOK_SECRET": fake_chatwoot.WEBHOOK_SECRET,
            "ASSISTANT_PUSH_URL": f"http://127.0.0.1:{rasa_port}/webhooks/handover/push",
            "HANDOVER_PUSH_TOKEN": token}
