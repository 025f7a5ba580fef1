"""Per-tenant data keys (envelope encryption).

Each tenant has its own random Fernet key; the key is stored wrapped (encrypted) by the master keys,
ENCRYPTION_KEY (a MultiFernet list: the first wraps, all unwrap). What belongs to one tenant and is
secret (its refresh tokens, its cached buyer addresses) is encrypted with the tenant's key, so:

* destroying a tenant's key (`destroy`, or deleting the tenant: the row cascades) makes all of its
  ciphertexts unreadable at once, backups included;
* rotating the master key re-wraps one small row per tenant (`spapi-saas rotate-encryption-key`),
  never the data itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.crypto import DecryptionError, decrypt, encrypt, generate_key
from app.tokens.key_repository import TenantKeyRepository


class TenantKeyMissing(DecryptionError):
    """The tenant has no data key (destroyed): what was encrypted with it is gone for good."""


class TenantKeys:
    """The tenant keys as seen from one session (the caller's unit of work writes a new key)."""

    def __init__(self, session: AsyncSession, master_keys: Sequence[str]) -> None:
        self._repository = TenantKeyRepository(session)
        self._master = list(master_keys)

    async def _fernet(self, tenant_id: uuid.UUID, *, create: bool) -> Fernet:
        wrapped = await self._repository.get(tenant_id)
        if wrapped is None:
            if not create:
                raise TenantKeyMissing(f"tenant {tenant_id} has no data key")
            wrapped = await self._repository.add_if_missing(tenant_id, encrypt(self._master, generate_key()))
        return _unwrap(self._master, wrapped)

    async def encrypt(self, tenant_id: uuid.UUID, plaintext: str) -> bytes:
        """Encrypt with the tenant's key, creating the key on the tenant's first secret."""
        return (await self._fernet(tenant_id, create=True)).encrypt(plaintext.encode())

    async def decrypt(self, tenant_id: uuid.UUID, ciphertext: bytes) -> str:
        wrapped = await self._repository.get(tenant_id)
        if wrapped is None:
            raise TenantKeyMissing(f"tenant {tenant_id} has no data key")
        return decrypt_with_wrapped_key(self._master, wrapped, ciphertext)

    async def destroy(self, tenant_id: uuid.UUID) -> bool:
        return await self._repository.destroy(tenant_id)


def _unwrap(master_keys: Sequence[str], wrapped: bytes) -> Fernet:
    return Fernet(decrypt(master_keys, wrapped).encode())


def decrypt_with_wrapped_key(master_keys: Sequence[str], wrapped_key: bytes, ciphertext: bytes) -> str:
    """Plain text of a ciphertext under a tenant key, given that key as stored (wrapped)."""
    try:
        return _unwrap(master_keys, wrapped_key).decrypt(ciphertext).decode()
    except InvalidToken as exc:
        # Never the ciphertext in the message: it is a credential in its own right.
        raise DecryptionError("the tenant's data key does not decrypt this value") from exc
