"""Which Amazon API a connection is for: the Selling Partner API or the Advertising API."""

from __future__ import annotations

from typing import Literal

Provider = Literal["amazon_sp", "amazon_ads"]
