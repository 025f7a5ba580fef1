"""Amazon Ads API client (profiles, reporting v3, Sponsored Products lists) on the SP-API client's
shared transport. No FastAPI, no SQLAlchemy: it takes an `AdsTokenProvider`."""

from app.adsapi.client import AdsClient, AdsTokenProvider
from app.adsapi.models import AdGroup, AsyncReport, Campaign, ProductAd, Profile
from app.adsapi.reports import sp_advertised_product, sp_purchased_product, windows

__all__ = [
    "AdGroup",
    "AdsClient",
    "AdsTokenProvider",
    "AsyncReport",
    "Campaign",
    "ProductAd",
    "Profile",
    "sp_advertised_product",
    "sp_purchased_product",
    "windows",
]
