"""Sealed (encrypted and authenticated) text for what must wait in the database: an SMS with a
code, a mail with a confirmation link. A copy of the database alone reveals no code or link:
the keys live only in the environment (CODE_SECRET, SEAL_KEYS).

AES-256-GCM from `cryptography`. A sealed text is `g1.<key id>.<base64url(nonce | ciphertext | tag)>`:
the key id says which key opens it, so keys rotate without a flag day — new text is sealed with
the newest key, older keys stay readable until nothing sealed with them is pending (outbox rows
give up within a day). The key id and format are bound into the tag (associated data), so a text
cannot be passed off under another key."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT = "g1"
CODE_SECRET_KEY_ID = "c"  # the key derived from CODE_SECRET, used while SEAL_KEYS is unset


class SealBroken(Exception):
    pass


def derive_key(secret: bytes, key_id: str) -> bytes:
    """A 256-bit AES key for one key id; secrets of any length, never used directly."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=f"recovery-backend seal {key_id}".encode()).derive(secret)


class Sealer:
    """`keys`: (key id, secret) pairs, the newest first; it seals, every one of them opens."""

    def __init__(self, keys: Iterable[tuple[str, bytes]]):
        self._keys: dict[str, AESGCM] = {}
        for key_id, secret in keys:
            if not key_id or "." in key_id or key_id in self._keys:
                raise ValueError(f"seal key ids must be unique, non-empty and without dots: {key_id!r}")
            self._keys[key_id] = AESGCM(derive_key(secret, key_id))
        if not self._keys:
            raise ValueError("at least one seal key is needed")
        self._newest = next(iter(self._keys))

    def seal(self, text: str) -> str:
        nonce = secrets.token_bytes(12)  # random 96-bit nonces: safe far beyond this table's volume per key
        header = f"{FORMAT}.{self._newest}"
        sealed = self._keys[self._newest].encrypt(nonce, text.encode(), header.encode())
        return f"{header}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def unseal(self, sealed: str) -> str:
        parts = sealed.split(".")
        if len(parts) != 3 or parts[0] != FORMAT:
            raise SealBroken("not a sealed text of this format")
        key = self._keys.get(parts[1])
        if key is None:
            raise SealBroken(f"sealed with key {parts[1]!r}, which is no longer configured")
        try:
            raw = base64.urlsafe_b64decode(parts[2].encode())
            return key.decrypt(raw[:12], raw[12:], f"{FORMAT}.{parts[1]}".encode()).decode()
        except (InvalidTag, ValueError) as error:
            raise SealBroken("sealed text was changed or the key is not the one it was sealed with") from error

    def is_current(self, sealed: str) -> bool:
        return sealed.startswith(f"{FORMAT}.{self._newest}.")


def sealer_for(code_secret: bytes, seal_keys: Iterable[tuple[str, bytes]] = ()) -> Sealer:
    """SEAL_KEYS (newest first) and, always readable, the key derived from CODE_SECRET."""
    keys = list(seal_keys)
    return Sealer(keys + [(CODE_SECRET_KEY_ID, code_secret)]
                  if CODE_SECRET_KEY_ID not in dict(keys) else keys)


def unseal_before_aes_gcm(secret: bytes, sealed: str) -> str:
    """Reads rows sealed by the format used before AES-GCM (HMAC-SHA256 as a key stream,
    encrypt-then-MAC), only so that `Outbox.reseal_pending` can move them to AES-GCM at start;
    nothing is sealed this way any more."""
    def key(purpose: str) -> bytes:
        return hmac.new(secret, f"seal:{purpose}".encode(), hashlib.sha256).digest()

    raw = base64.urlsafe_b64decode(sealed.encode())
    nonce, tag, cipher = raw[:16], raw[16:48], raw[48:]
    if not hmac.compare_digest(tag, hmac.new(key("mac"), nonce + cipher, hashlib.sha256).digest()):
        raise SealBroken("sealed text was changed or the key is not the one it was sealed with")
    stream = b"".join(hmac.new(key("enc"), nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
                      for counter in range((len(cipher) + 31) // 32))
    # The key stream is whole blocks, so it is longer than the text.
    return bytes(a ^ b for a, b in zip(cipher, stream, strict=False)).decode()
