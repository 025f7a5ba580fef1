"""Default usage plans per operation: (rate in requests per second, burst).

Amazon's published defaults (model descriptions; the SDK's rate-limits table is compared with this one
by a test at test time). Keys are "<api>.<operationId>" because operationIds repeat across APIs
(`getOrder` is in Orders v0 and 2026-01-01). Amazon raises plans per seller and announces the rate in
`x-amzn-RateLimit-Limit`; the limiter learns that, so these are only the starting point.
"""

from __future__ import annotations

from app.amazon_http.ratelimit import FALLBACK_PLAN, UsagePlan

_P = UsagePlan

SPAPI_PLANS: dict[str, UsagePlan] = {
    "ordersV0.getOrders": _P(0.0167, 20),
    "ordersV0.getOrder": _P(0.5, 30),
    "ordersV0.getOrderBuyerInfo": _P(0.5, 30),
    "ordersV0.getOrderAddress": _P(0.5, 30),
    "ordersV0.getOrderItems": _P(0.5, 30),
    "ordersV0.getOrderItemsBuyerInfo": _P(0.5, 30),
    "orders2026.searchOrders": _P(0.0056, 20),
    "orders2026.getOrder": _P(0.5, 30),
    "tokens.createRestrictedDataToken": _P(1.0, 10),
    "sellers.getMarketplaceParticipations": _P(0.016, 15),
    "sellers.getAccount": _P(0.016, 15),
    "listingsItems.getListingsItem": _P(5.0, 10),
    "reports.createReport": _P(0.0167, 15),
    "reports.getReport": _P(2.0, 15),
    "reports.getReports": _P(0.0222, 10),
    "reports.cancelReport": _P(0.0222, 10),
    "reports.getReportDocument": _P(0.0167, 15),
    "feeds.createFeedDocument": _P(0.5, 15),
    "feeds.createFeed": _P(0.0083, 15),
    "feeds.getFeed": _P(2.0, 15),
    "feeds.getFeeds": _P(0.0222, 10),
    "feeds.cancelFeed": _P(2.0, 15),
    "feeds.getFeedDocument": _P(0.0222, 10),
    "dataKiosk.createQuery": _P(0.0167, 15),
    "dataKiosk.getQuery": _P(2.0, 15),
    "dataKiosk.getQueries": _P(0.0222, 10),
    "dataKiosk.cancelQuery": _P(0.0222, 10),
    "dataKiosk.getDocument": _P(0.0167, 15),
    "notifications.createDestination": _P(1.0, 5),
    "notifications.getDestinations": _P(1.0, 5),
    "notifications.getDestination": _P(1.0, 5),
    "notifications.deleteDestination": _P(1.0, 5),
    "notifications.createSubscription": _P(1.0, 5),
    "notifications.getSubscription": _P(1.0, 5),
    "notifications.getSubscriptionById": _P(1.0, 5),
    "notifications.deleteSubscriptionById": _P(1.0, 5),
    "applications.rotateApplicationClientSecret": _P(0.0167, 1),
}


def plan_for(operation: str) -> UsagePlan:
    return SPAPI_PLANS.get(operation) or FALLBACK_PLAN
