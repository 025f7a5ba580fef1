"""Default SP-API usage plans: operation -> (rate in requests per second, burst).

The numbers are Amazon's published defaults (model descriptions and the SDK rate-limit table), typed here so
the emulator runs without the model files. Operation keys are ``"<api>.<operationId>"`` because some
operationIds (``getOrder``) exist in more than one API. Modules added later register their own plans with
:func:`register_plan` at import time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UsagePlan:
    """A token bucket definition in Amazon units: refill ``rate`` tokens per second, hold at most
    ``burst``."""

    rate: float
    burst: int

    def header_value(self, time_scale: float) -> str:
        """Value of ``x-amzn-RateLimit-Limit`` under ``time_scale``: the real requests per second (the
        Amazon rate times the scale), so a client pacing itself on the header keeps up with the buckets."""
        # 12 significant digits drop float noise (0.0056 * 10 -> "0.056", not "0.055999999999999994").
        return str(float(f"{self.rate * time_scale:.12g}"))


_P = UsagePlan

_DEFAULTS: dict[str, UsagePlan] = {
    # Orders v0 (deprecated by Amazon, still served)
    "ordersV0.getOrders": _P(0.0167, 20),
    "ordersV0.getOrder": _P(0.5, 30),
    "ordersV0.getOrderBuyerInfo": _P(0.5, 30),
    "ordersV0.getOrderAddress": _P(0.5, 30),
    "ordersV0.getOrderItems": _P(0.5, 30),
    "ordersV0.getOrderItemsBuyerInfo": _P(0.5, 30),
    "ordersV0.getOrderRegulatedInfo": _P(0.5, 30),
    "ordersV0.updateVerificationStatus": _P(0.5, 30),
    "ordersV0.updateShipmentStatus": _P(5.0, 15),
    "ordersV0.confirmShipment": _P(2.0, 10),
    # Orders 2026-01-01
    "orders2026.searchOrders": _P(0.0056, 20),
    "orders2026.getOrder": _P(0.5, 30),
    # Tokens 2021-03-01
    "tokens.createRestrictedDataToken": _P(1.0, 10),
    # Sellers v1
    "sellers.getMarketplaceParticipations": _P(0.016, 15),
    "sellers.getAccount": _P(0.016, 15),
    # Reports 2021-06-30
    "reports.createReport": _P(0.0167, 15),
    "reports.getReportDocument": _P(0.0167, 15),
    "reports.getReport": _P(2.0, 15),
    "reports.getReports": _P(0.0222, 10),
    "reports.cancelReport": _P(0.0222, 10),
    "reports.getReportSchedules": _P(0.0222, 10),
    "reports.createReportSchedule": _P(0.0222, 10),
    "reports.getReportSchedule": _P(0.0222, 10),
    "reports.cancelReportSchedule": _P(0.0222, 10),
    # Feeds 2021-06-30
    "feeds.createFeed": _P(0.0083, 15),
    "feeds.createFeedDocument": _P(0.5, 15),
    "feeds.getFeed": _P(2.0, 15),
    "feeds.cancelFeed": _P(2.0, 15),
    "feeds.getFeeds": _P(0.0222, 10),
    "feeds.getFeedDocument": _P(0.0222, 10),
    # Data Kiosk 2023-11-15
    "dataKiosk.createQuery": _P(0.0167, 15),
    "dataKiosk.getDocument": _P(0.0167, 15),
    "dataKiosk.getQuery": _P(2.0, 15),
    "dataKiosk.getQueries": _P(0.0222, 10),
    "dataKiosk.cancelQuery": _P(0.0222, 10),
    # Notifications v1
    "notifications.getSubscription": _P(1.0, 5),
    "notifications.getSubscriptions": _P(1.0, 5),
    "notifications.createSubscription": _P(1.0, 5),
    "notifications.getSubscriptionById": _P(1.0, 5),
    "notifications.deleteSubscriptionById": _P(1.0, 5),
    "notifications.getDestinations": _P(1.0, 5),
    "notifications.createDestination": _P(1.0, 5),
    "notifications.getDestination": _P(1.0, 5),
    "notifications.deleteDestination": _P(1.0, 5),
    "notifications.sendTestNotification": _P(1.0, 5),
    # Application Management 2023-11-30
    "applications.rotateApplicationClientSecret": _P(0.0167, 1),
    # Catalog, Listings, FBA Inventory, Finances (not served yet; listed so plans exist when they are)
    "catalogItems.searchCatalogItems": _P(2.0, 2),
    "catalogItems.getCatalogItem": _P(2.0, 2),
    "listingsItems.getListingsItem": _P(5.0, 10),
    "listingsItems.putListingsItem": _P(5.0, 10),
    "listingsItems.patchListingsItem": _P(5.0, 5),
    "listingsItems.deleteListingsItem": _P(5.0, 5),
    "listingsItems.searchListingsItems": _P(5.0, 5),
    "fbaInventory.getInventorySummaries": _P(2.0, 2),
    "finances.listFinancialEventGroups": _P(0.5, 30),
    "finances.listFinancialEventsByGroupId": _P(0.5, 30),
    "finances.listFinancialEventsByOrderId": _P(0.5, 30),
    "finances.listFinancialEvents": _P(0.5, 30),
}

# Used when an operation has no plan: Amazon's sandbox figure, generous enough not to get in the way.
FALLBACK_PLAN = UsagePlan(5.0, 15)


def register_plan(operation: str, rate: float, burst: int) -> None:
    """Add or replace the default plan of ``operation`` (call at import time of the module serving it)."""
    _DEFAULTS[operation] = UsagePlan(rate, burst)


def default_plan(operation: str) -> UsagePlan:
    """The default plan of ``operation`` (``FALLBACK_PLAN`` when none is known)."""
    return _DEFAULTS.get(operation, FALLBACK_PLAN)


def all_plans() -> dict[str, UsagePlan]:
    """A copy of every known default plan."""
    return dict(_DEFAULTS)
