"""What onboarding needs from Amazon: marketplaces, consent URLs, and the seller's marketplaces
asked with the access token the code exchange just returned (before anything is stored: the client
comes from `AmazonClients.just_issued_spapi`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from app.kit.regions import Region
from app.settings import Settings
from app.spapi import SpApiClient
from app.spapi.operations.sellers import MarketplaceParticipation

ADS_SCOPE = "advertising::campaign_management"


@dataclass(frozen=True)
class Marketplace:
    id: str
    country_code: str
    name: str
    region: Region
    seller_central: str
    currency: str  # ISO 4217: the only currency Amazon takes prices in there


# Amazon's marketplace ids ("Marketplace IDs" docs page), each one's Seller Central host, where the
# website authorization workflow starts, and its currency.
MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("ATVPDKIKX0DER", "US", "United States", "NA", "https://sellercentral.amazon.com", "USD"),
    Marketplace("A2EUQ1WTGCTBG2", "CA", "Canada", "NA", "https://sellercentral.amazon.ca", "CAD"),
    Marketplace("A1AM78C64UM0Y8", "MX", "Mexico", "NA", "https://sellercentral.amazon.com.mx", "MXN"),
    Marketplace("A2Q3Y263D00KWC", "BR", "Brazil", "NA", "https://sellercentral.amazon.com.br", "BRL"),
    Marketplace("A1F83G8C2ARO7P", "GB", "United Kingdom", "EU", "https://sellercentral.amazon.co.uk", "GBP"),
    Marketplace("A1PA6795UKMFR9", "DE", "Germany", "EU", "https://sellercentral.amazon.de", "EUR"),
    Marketplace("A13V1IB3VIYZZH", "FR", "France", "EU", "https://sellercentral.amazon.fr", "EUR"),
    Marketplace("APJ6JRA9NG5V4", "IT", "Italy", "EU", "https://sellercentral.amazon.it", "EUR"),
    Marketplace("A1RKKUPIHCS9HS", "ES", "Spain", "EU", "https://sellercentral.amazon.es", "EUR"),
    Marketplace("A1805IZSGTT6HS", "NL", "Netherlands", "EU", "https://sellercentral.amazon.nl", "EUR"),
    Marketplace("A2NODRKZP88ZB9", "SE", "Sweden", "EU", "https://sellercentral.amazon.se", "SEK"),
    Marketplace("A1C3SOZRARQ6R3", "PL", "Poland", "EU", "https://sellercentral.amazon.pl", "PLN"),
    Marketplace("AMEN7PMS3EDWL", "BE", "Belgium", "EU", "https://sellercentral.amazon.com.be", "EUR"),
    Marketplace("A28R8C7NBKEWEA", "IE", "Ireland", "EU", "https://sellercentral.amazon.ie", "EUR"),
    Marketplace("A33AVAJ2PDY3EV", "TR", "Turkey", "EU", "https://sellercentral.amazon.com.tr", "TRY"),
    Marketplace(
        "A2VIGQ35RCS4UG", "AE", "United Arab Emirates", "EU", "https://sellercentral.amazon.ae", "AED"
    ),
    Marketplace("A17E79C6D8DWNP", "SA", "Saudi Arabia", "EU", "https://sellercentral.amazon.sa", "SAR"),
    Marketplace("ARBP9OOSHTCHU", "EG", "Egypt", "EU", "https://sellercentral.amazon.eg", "EGP"),
    Marketplace("AE08WJ6YKNBMC", "ZA", "South Africa", "EU", "https://sellercentral.amazon.co.za", "ZAR"),
    Marketplace("A21TJRUUN4KGV", "IN", "India", "EU", "https://sellercentral.amazon.in", "INR"),
    Marketplace("A1VC38T7YXB528", "JP", "Japan", "FE", "https://sellercentral.amazon.co.jp", "JPY"),
    Marketplace("A39IBJ37TRP1C6", "AU", "Australia", "FE", "https://sellercentral.amazon.com.au", "AUD"),
    Marketplace("A19VAU5U5O7RUS", "SG", "Singapore", "FE", "https://sellercentral.amazon.sg", "SGD"),
)
MARKETPLACES_BY_ID = {m.id: m for m in MARKETPLACES}

# The time zone of each marketplace's day in Amazon's reporting: every Ads profile of the country
# has it (the Profiles model's `timezone` table; Ads reports count days in it).
REPORTING_TIME_ZONES: dict[str, str] = {
    "US": "America/Los_Angeles",
    "CA": "America/Los_Angeles",
    "MX": "America/Los_Angeles",
    "BR": "America/Sao_Paulo",
    "GB": "Europe/London",
    "DE": "Europe/Paris",
    "FR": "Europe/Paris",
    "IT": "Europe/Paris",
    "ES": "Europe/Paris",
    "NL": "Europe/Amsterdam",
    "SE": "Europe/Stockholm",
    "PL": "Europe/Warsaw",
    "BE": "Europe/Brussels",
    "IE": "Europe/Dublin",
    "TR": "Europe/Istanbul",
    "AE": "Asia/Dubai",
    "SA": "Asia/Riyadh",
    "EG": "Africa/Cairo",
    "ZA": "Africa/Johannesburg",
    "IN": "Asia/Kolkata",
    "JP": "Asia/Tokyo",
    "AU": "Australia/Sydney",
    "SG": "Asia/Singapore",
}


def reporting_time_zone(marketplace_id: str) -> str | None:
    """The IANA time zone of the marketplace's reporting day; None for a marketplace not listed."""
    marketplace = MARKETPLACES_BY_ID.get(marketplace_id)
    return REPORTING_TIME_ZONES.get(marketplace.country_code) if marketplace else None


def marketplaces_of(region: Region) -> list[Marketplace]:
    return [m for m in MARKETPLACES if m.region == region]


def sp_consent_url(settings: Settings, region: Region, marketplace_ids: Sequence[str], state: str) -> str:
    """Seller Central's consent page for the first chosen marketplace (sellers sign in there)."""
    first = next((MARKETPLACES_BY_ID[m] for m in marketplace_ids if m in MARKETPLACES_BY_ID), None)
    host = settings.spapi.seller_central_url_override or (first or marketplaces_of(region)[0]).seller_central
    params = {
        "application_id": settings.spapi.spapi_application_id,
        "state": state,
        "redirect_uri": settings.spapi.oauth_redirect_uri,
    }
    if settings.spapi.spapi_app_draft:
        params["version"] = "beta"
    return f"{host.rstrip('/')}/apps/authorize/consent?{urlencode(params)}"


def ads_consent_url(settings: Settings, region: Region, state: str) -> str:
    params = {
        "client_id": settings.ads.ads_client_id,
        "scope": ADS_SCOPE,
        "response_type": "code",
        "redirect_uri": settings.ads.lwa_redirect_uri,
        "state": state,
    }
    return f"{settings.ads.consent_url(region)}?{urlencode(params)}"


async def is_own_seller_id(client: SpApiClient, seller_id: str, marketplace_id: str) -> bool:
    """Whether the consent's `selling_partner_id` (a query parameter the seller's browser could
    change) is the seller Amazon issued the token for."""
    return await client.listings.is_own_seller_id(seller_id, marketplace_id)


async def participating_marketplaces(client: SpApiClient) -> list[MarketplaceParticipation]:
    participations = await client.sellers.get_marketplace_participations()
    return [p for p in participations if p.participation.is_participating]
