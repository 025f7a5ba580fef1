"""What the second factor publishes: the audit domain (above auth) records it (`app.audit.subscribers`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class MfaChanged:
    user_id: uuid.UUID
    # mfa.enabled | mfa.disabled | mfa.recovery_code_used | mfa.recovery_codes_regenerated
    action: str
    ip: str | None
    request_id: str | None
