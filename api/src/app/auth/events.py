"""What the auth domain announces (`app.kit.events`); the audit log, above it, records it.

`AccountEvent`: something happened to a user's account or sign-in: `auth.sign_in`,
`auth.sign_in_failed`, `auth.account_locked`, `auth.sign_out`, `auth.sign_out_everywhere` (the
MFA and password flows add theirs). Account events belong to no tenant (a user may be in several,
an unknown address in none): they are recorded once, without a tenant. They never carry a password
or an e-mail address: the user's id when the address has an account, else a keyed hash of the
address (`email_hash`), which lets an operator tell attempts on one address apart without storing it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AccountEvent:
    action: str
    user_id: uuid.UUID | None
    ip: str | None
    request_id: str | None
    data: dict[str, Any] = field(default_factory=dict)
