"""The request's unit of work: one session, committed after the endpoint returns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import unit_of_work


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(request.app.state.sessionmaker) as session:
        yield session


# scope="function": commit before the response is sent, so a failed commit is the client's error.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
