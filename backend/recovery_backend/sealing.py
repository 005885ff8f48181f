"""Sealed (encrypted and authenticated) text for what must wait in the database: an SMS with a
code, a mail with a confirmation link. The key is derived from CODE_SECRET, which in production
lives only in the environment, so a copy of the database alone reveals no code or link.

HMAC-SHA256 in counter mode as the key stream, encrypt-then-MAC; standard library only."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


class SealBroken(Exception):
    pass


def _key(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"seal:{purpose}".encode(), hashlib.sha256).digest()


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
              for counter in range((length + 31) // 32))
    return b"".join(blocks)[:length]


def seal(secret: bytes, text: str) -> str:
    data, nonce = text.encode(), secrets.token_bytes(16)
    cipher = bytes(a ^ b for a, b in zip(data, _stream(_key(secret, "enc"), nonce, len(data))))
    tag = hmac.new(_key(secret, "mac"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + tag + cipher).decode()


def unseal(secret: bytes, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed.encode())
    nonce, tag, cipher = raw[:16], raw[16:48], raw[48:]
    if not hmac.compare_digest(tag, hmac.new(_key(secret, "mac"), nonce + cipher, hashlib.sha256).digest()):
        raise SealBroken("sealed text was changed or the key is not the one it was sealed with")
    return bytes(a ^ b for a, b in zip(cipher, _stream(_key(secret, "enc"), nonce, len(cipher)))).decode()
