"""The Ads domain's part in every process: importing this module registers the Ads datasets with the
sync engine (`app.ads.sync`); their runs are the engine's `sync.run` jobs."""

from __future__ import annotations

from app.ads import sync as ads_sync

__all__ = ["ads_sync"]
