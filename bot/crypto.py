"""Encryption at rest for what people write in their own words.

Free text can hold names, diagnoses and family matters (GDPR art. 9), so it is stored as Fernet
tokens. The key comes from settings.encryption_key; when that is empty it is derived from
secret_key so a demo install is still encrypted without extra setup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from bot.config import get_settings


@lru_cache(maxsize=8)
def _fernet_for(encryption_key: str, secret_key: str) -> Fernet:
    if encryption_key:
        return Fernet(encryption_key.encode())
    # Domain-separated derivation so the Fernet key never equals other uses of secret_key.
    digest = hashlib.sha256(b"skolebro-fernet-v1:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def fernet() -> Fernet:
    settings = get_settings()
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
    key = get_settings().secret_key.encode()
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


if __name__ == "__main__":  # `python -m bot.crypto` prints a fresh key for ENCRYPTION_KEY
    print(generate_key())
