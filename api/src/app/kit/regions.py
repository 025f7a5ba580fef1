"""Amazon's three regions: every seller account, Ads profile, endpoint and token URL belongs to one."""

from __future__ import annotations

from typing import Literal

Region = Literal["NA", "EU", "FE"]
REGIONS: tuple[Region, ...] = ("NA", "EU", "FE")
