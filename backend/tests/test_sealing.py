"""Issue 17 #11: what waits in the outbox is sealed with a vetted AEAD (AES-GCM from
`cryptography`), carries its key id, and keys rotate: new rows under the newest key, older keys
still open what they sealed, and rows sealed before AES-GCM are moved to it at start."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import make_backend

from recovery_backend.sealing import SealBroken, Sealer, sealer_for
from recovery_backend.storage import outbox

OLD, NEW = ("k1", b"o" * 32), ("k2", b"n" * 32)


def test_sealed_text_names_its_key_and_is_authenticated():
    sealer = Sealer([NEW, OLD])
    sealed = sealer.seal("kod 123456")
    version, key_id, body = sealed.split(".")
    assert (version, key_id) == ("g1", "k2") and "123456" not in sealed
    assert sealer.unseal(sealed) == "kod 123456"
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(SealBroken):
        sealer.unseal(f"g1.k2.{base64.urlsafe_b64encode(bytes(raw)).decode()}")
    with pytest.raises(SealBroken):  # the key id is bound into the tag: no relabelling
        Sealer([("k2", b"n" * 32), ("k3", b"n" * 32)]).unseal(f"g1.k3.{body}")


def test_rotation_keeps_old_seals_readable_and_seals_new_ones_with_the_newest_key():
    before = Sealer([OLD]).seal("link")
    rotated = Sealer([NEW, OLD])
    assert rotated.unseal(before) == "link" and rotated.seal("x").startswith("g1.k2.")
    with pytest.raises(SealBroken):
        Sealer([NEW]).unseal(before)  # a key taken out of SEAL_KEYS opens nothing any more
    assert sealer_for(b"s" * 32).seal("x").startswith("g1.c.")  # without SEAL_KEYS: CODE_SECRET's key


def sealed_before_aes_gcm(secret: bytes, text: str) -> str:
    """The format this project used before (HMAC-SHA256 key stream), as a row written then holds it."""
    def key(purpose):
        return hmac.new(secret, f"seal:{purpose}".encode(), hashlib.sha256).digest()
    data, nonce = text.encode(), secrets.token_bytes(16)
    stream = b"".join(hmac.new(key("enc"), nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
                      for i in range((len(data) + 31) // 32))
    cipher = bytes(a ^ b for a, b in zip(data, stream, strict=False))
    tag = hmac.new(key("mac"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + tag + cipher).decode()


def test_rows_sealed_before_aes_gcm_or_with_an_older_key_are_resealed_at_start_and_sent(tmp_path):
    first = make_backend(tmp_path, SEAL_KEYS=f"k1={'o' * 32}")
    services = first.client.app.state.services
    services.outbox.join()
    services.outbox.stop()
    secret, now = services.settings.code_key, services.clock.now()
    with services.engine.begin() as db:
        for _text, payload in (("legacy", sealed_before_aes_gcm(secret, json.dumps({"to": "+48601234567", "text": "legacy"}))),
                              ("old key", Sealer([OLD]).seal(json.dumps({"to": "+48601234567", "text": "old key"})))):
            db.execute(outbox.insert().values(kind="sms", masked_to="+48 601 *** *67", payload=payload,
                                              status="pending", attempts=0, created_at=now, next_attempt_at=now,
                                              give_up_at=now + timedelta(hours=1)))
    again = make_backend(tmp_path, SEAL_KEYS=f"k2={'n' * 32},k1={'o' * 32}")
    assert sorted(m["text"] for m in again.sms()) == ["legacy", "old key"]
    with again.client.app.state.services.engine.connect() as db:
        payloads = db.execute(sa.select(outbox.c.payload)).scalars().all()
    assert all(p == "" for p in payloads), "sent rows are wiped"
