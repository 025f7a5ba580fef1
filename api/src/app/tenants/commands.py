"""`spapi-saas create-user`: a user who can sign in, and optionally their first tenant."""

from __future__ import annotations

from app.auth.passwords import WeakPassword
from app.auth.verification import create_verified_user
from app.db.session import create_engine, create_sessionmaker, unit_of_work
from app.kit.errors import Conflict
from app.settings import get_settings
from app.tenants.service import create_tenant


async def create_user_command(email: str, password: str, name: str | None, tenant: str | None) -> str:
    """Create the user (and the tenant they own); returns the user's id. ValueError on bad input."""
    if "@" not in email:
        raise ValueError("not an e-mail address")
    settings = get_settings()
    engine = create_engine(settings, pool_size=1)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            try:
                user = await create_verified_user(session, email=email, password=password, name=name)
            except (Conflict, WeakPassword) as exc:
                raise ValueError(exc.message) from None
            if tenant:
                await create_tenant(session, user, tenant, request_id=None)
            return str(user.id)
    finally:
        await engine.dispose()
