"""Shared data for the orders tests: a tenant with one SP-API connection."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.connections import Seller, make_seller


@pytest.fixture
async def seller(session: AsyncSession) -> Seller:
    return await make_seller(session)
