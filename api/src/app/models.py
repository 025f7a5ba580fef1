"""Every table's model, imported once so `Base.metadata` is complete (Alembic, tests, tools).

Import models from their domain (`app.orders.models`); import this module only when the whole
schema is needed. It sits with the entry points, above every domain: the database plumbing
(`app.db`) knows no domain.
"""

from __future__ import annotations

from app.ads import models as ads
from app.audit import models as audit
from app.auth import mfa_models as auth_mfa
from app.auth import models as auth
from app.auth import token_models as auth_tokens
from app.connections import models as connections
from app.datakiosk import models as datakiosk
from app.db.base import Base
from app.documents import models as documents
from app.feeds import models as feeds
from app.notifications import models as notifications
from app.orders import models as orders
from app.reports import models as reports
from app.reports import row_models as report_rows
from app.sync import models as sync
from app.tenants import invitation_models as invitations
from app.tenants import models as tenants
from app.tokens import models as tokens
from app.worker import models as worker

__all__ = [
    "Base",
    "ads",
    "audit",
    "auth",
    "auth_mfa",
    "auth_tokens",
    "connections",
    "datakiosk",
    "documents",
    "feeds",
    "invitations",
    "notifications",
    "orders",
    "report_rows",
    "reports",
    "sync",
    "tenants",
    "tokens",
    "worker",
]
