"""Amazon Ads API client (profiles, reporting v3, Sponsored Products lists) on the SP-API client's
shared transport. No FastAPI, no SQLAlchemy: it takes an `AdsTokenProvider`."""

from app.ads.client.client import AdsClient, AdsTokenProvider
from app.ads.client.models import AdGroup, AsyncReport, Campaign, ProductAd, Profile
from app.ads.client.reports import sp_advertised_product, sp_purchased_product, windows

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
