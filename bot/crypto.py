"""Keys and encryption at rest.

SECRET_KEY is the master key. Each purpose gets its own key, derived with HKDF-SHA256 and the
purpose as `info`, so no two uses ever share bytes (JWT signing, encryption, Rasa's HTTP token,
the action server's secret, keyed hashes, the tracker store). A purpose's own setting
(ENCRYPTION_KEY, RASA_TOKEN, ACTION_SECRET, WEBHOOK_SECRET) replaces the derived key.

Free text and other sensitive facts are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

if TYPE_CHECKING:
    from bot.config import Settings

# Purposes of derived keys; the strings are part of the key derivation: never change them.
PURPOSES = (
    "jwt-signing",
    "encryption",
    "rasa-http-api",
    "action-server",
    "keyed-hash",
    "tracker-store",
    "webhook",
)


@lru_cache(maxsize=64)
def derive_key(master: str, purpose: str, length: int = 32) -> bytes:
    """`length` bytes for one purpose from the master key (HKDF-SHA256)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}")
    return HKDF(
        algorithm=hashes.SHA256(),
        length=length,
        salt=b"skolebro-hkdf-v1",
        info=purpose.encode(),
    ).derive(master.encode())


def _settings(settings: Settings | None) -> Settings:
    if settings is not None:
        return settings
    from bot.config import get_settings

    return get_settings()


def derived_secret(purpose: str, settings: Settings | None = None) -> str:
    """A derived key as URL-safe text (tokens, header values)."""
    key = derive_key(_settings(settings).secret_key, purpose)
    return base64.urlsafe_b64encode(key).decode("ascii").rstrip("=")


def jwt_key(settings: Settings | None = None) -> bytes:
    return derive_key(_settings(settings).secret_key, "jwt-signing")


def webhook_key(settings: Settings | None = None) -> bytes:
    """WEBHOOK_SECRET; a demo without one signs with a derived key (never SECRET_KEY itself)."""
    s = _settings(settings)
    if s.webhook_secret:
        return s.webhook_secret.encode()
    return derive_key(s.secret_key, "webhook")


def fernet_key_for(purpose: str, encryption_key: str, secret_key: str) -> bytes:
    """The Fernet key of a purpose: ENCRYPTION_KEY-based when set, else from the master key."""
    if encryption_key:
        if purpose == "encryption":
            return encryption_key.encode()
        # Other stores get their own key derived from ENCRYPTION_KEY.
        raw = derive_key(encryption_key, purpose)
    else:
        raw = derive_key(secret_key, purpose)
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=8)
def _fernet_for(encryption_key: str, secret_key: str) -> MultiFernet:
    keys = [Fernet(fernet_key_for("encryption", encryption_key, secret_key))]
    if not encryption_key:
        # Demo installs made before per-purpose keys used this derivation: still readable.
        legacy = hashlib.sha256(b"skolebro-fernet-v1:" + secret_key.encode()).digest()
        keys.append(Fernet(base64.urlsafe_b64encode(legacy)))
    return MultiFernet(keys)


def fernet() -> MultiFernet:
    settings = _settings(None)
    return _fernet_for(settings.encryption_key, settings.secret_key)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:  # wrong key: fail loudly rather than show garbage
        raise ValueError("Kan ikke dekryptere data: forkert krypteringsnøgle") from exc


def encrypt_json(value: Any) -> str:
    return encrypt(json.dumps(value, ensure_ascii=False))


def decrypt_json(token: str) -> Any:
    return json.loads(decrypt(token))


def keyed_hash(text: str) -> str:
    """Stable HMAC of a text, for de-duplication without storing the text in clear."""
    key = derive_key(_settings(None).secret_key, "keyed-hash")
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def signal_hash(kind: str, area: str | None, question_key: str | None, text: str) -> str:
    """Identity of a signal for de-duplication: the same kind from the same words once."""
    return keyed_hash(f"{kind}\x00{area or ''}\x00{question_key or ''}\x00{text or ''}")


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


if __name__ == "__main__":  # `python -m bot.crypto` prints a fresh key for ENCRYPTION_KEY
    print(generate_key())
