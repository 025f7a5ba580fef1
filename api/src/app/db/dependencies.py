"""The request's unit of work: one session, committed after the endpoint returns; or, for an
endpoint marked `reads_only`, a session without a transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import read_only_unit, unit_of_work

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

_READS_ONLY = "__reads_only__"
_KEPT_PLANS = "kept_plans"


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Marks an endpoint that only reads the database: its session (and its dependencies', the
    same session) runs without BEGIN and COMMIT (see `read_only_unit`)."""
    setattr(endpoint, _READS_ONLY, True)
    return endpoint


def reads_with_kept_plans(endpoint: Endpoint) -> Endpoint:
    """`reads_only`, on a connection that plans each statement executed with `prepare=True` once
    (`create_kept_plans_engine`): for endpoints whose few statements serve every request alike."""
    setattr(endpoint, _READS_ONLY, _KEPT_PLANS)
    return endpoint


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    state = request.app.state
    # The router has put the matched endpoint in the scope before any dependency runs.
    reads = getattr(request.scope.get("endpoint"), _READS_ONLY, False)
    if reads:
        sessionmaker = state.kept_plans_sessionmaker if reads == _KEPT_PLANS else state.read_sessionmaker
        async with read_only_unit(sessionmaker) as session:
            yield session
        return
    async with unit_of_work(state.sessionmaker) as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is the client's error.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
