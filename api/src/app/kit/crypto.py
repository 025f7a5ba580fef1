"""MultiFernet helpers for ENCRYPTION_KEY lists: the first key encrypts, every key decrypts.

Rotation: put the new key first, keep the old ones after it, run `rotate()` over stored ciphertexts,
then drop the old keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["DecryptionError", "InvalidToken", "decrypt", "encrypt", "fernet_for", "generate_key", "rotate"]


class DecryptionError(Exception):
    """No configured key decrypts this ciphertext (wrong key list, or corrupted data)."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ValueError("ENCRYPTION_KEY is empty: at least one Fernet key is required")
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet_for(keys: Sequence[str]) -> MultiFernet:
    return _fernet(tuple(keys))


def encrypt(keys: Sequence[str], plaintext: str) -> bytes:
    return fernet_for(keys).encrypt(plaintext.encode())


def decrypt(keys: Sequence[str], ciphertext: bytes) -> str:
    try:
        return fernet_for(keys).decrypt(ciphertext).decode()
    except InvalidToken as exc:
        # The message never includes the ciphertext: it is a credential in its own right.
        raise DecryptionError("no configured ENCRYPTION_KEY decrypts this value") from exc


def rotate(keys: Sequence[str], ciphertext: bytes) -> bytes:
    """Re-encrypt under the first key (a no-op in meaning; changes the bytes)."""
    try:
        return fernet_for(keys).rotate(ciphertext)
    except InvalidToken as exc:
        raise DecryptionError("no configured ENCRYPTION_KEY decrypts this value") from exc
