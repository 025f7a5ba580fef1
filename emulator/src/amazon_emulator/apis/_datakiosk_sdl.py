"""The Data Kiosk datasets' type systems, in SDL: Amazon's types, fields, arguments and their types (without
descriptions and ``@resultRetention`` directives), one schema per dataset because the datasets reuse type
names (``DateGranularity`` differs). A contract test compares them with the official ``.graphql`` files.
"""

from __future__ import annotations

from graphql import GraphQLSchema, build_schema

SALES_AND_TRAFFIC = "analytics_salesAndTraffic_2024_04_24"
ECONOMICS = "analytics_economics_2024_03_15"


def _b2b(fields: str) -> str:
    """Each ``name: Type!`` field, then its nullable ``nameB2B: Type`` twin, as the schema pairs them."""
    out = []
    for pair in fields.split(","):
        name, kind = (p.strip() for p in pair.split(":"))
        out.append(f"{name}: {kind}! {name}B2B: {kind}")
    return " ".join(out)


_DATE_SALES = _b2b(
    "averageSalesPerOrderItem: Amount, averageSellingPrice: Amount, averageUnitsPerOrderItem: Float, "
    "claimsAmount: Amount, claimsGranted: Long, orderedProductSales: Amount, ordersShipped: Long, "
    "refundRate: Float, shippedProductSales: Amount, totalOrderItems: Long, unitsOrdered: Long, "
    "unitsRefunded: Long, unitsShipped: Long"
)
_DATE_TRAFFIC = "averageOfferCount: Long! averageParentItems: Long! " + _b2b(
    "browserPageViews: Long, browserSessions: Long, buyBoxPercentage: Float, feedbackReceived: Long, "
    "mobileAppPageViews: Long, mobileAppSessions: Long, negativeFeedbackReceived: Long, "
    "orderItemSessionPercentage: Float, pageViews: Long, receivedNegativeFeedbackRate: Float, "
    "sessions: Long, unitSessionPercentage: Float"
)
_ASIN_SALES = _b2b(
    "orderedProductSales: Amount, ordersShipped: Long, refundRate: Float, shippedProductSales: Amount, "
    "totalOrderItems: Long, unitsOrdered: Long, unitsRefunded: Long, unitsShipped: Long"
)
_ASIN_TRAFFIC = _b2b(
    "browserPageViews: Long, browserPageViewsPercentage: Float, browserSessionPercentage: Float, "
    "browserSessions: Long, buyBoxPercentage: Float, mobileAppPageViews: Long, "
    "mobileAppPageViewsPercentage: Float, mobileAppSessionPercentage: Float, mobileAppSessions: Long, "
    "pageViews: Long, pageViewsPercentage: Float, sessionPercentage: Float, sessions: Long, "
    "unitSessionPercentage: Float"
)
_PERIOD_ARGS = "endDate: Date!, marketplaceIds: [String!]!, startDate: Date!"

SALES_AND_TRAFFIC_SDL = f"""
scalar Date
scalar Long
type Query {{ {SALES_AND_TRAFFIC}: Analytics_SalesAndTraffic_2024_04_24 }}
enum DateGranularity {{ DAY MONTH WEEK }}
enum AsinGranularity {{ CHILD PARENT SKU }}
type Amount {{ amount: Float! currencyCode: String! }}
input MarketplaceAsinFilter {{ asins: [String!]! marketplaceId: String! }}
type ByDateSales {{ {_DATE_SALES} }}
type ByDateTraffic {{ {_DATE_TRAFFIC} }}
type ByAsinSales {{ {_ASIN_SALES} }}
type ByAsinTraffic {{ {_ASIN_TRAFFIC} }}
type SalesAndTrafficByDate {{
  endDate: Date! marketplaceId: String! sales: ByDateSales! startDate: Date! traffic: ByDateTraffic!
}}
type SalesAndTrafficByAsin {{
  childAsin: String endDate: Date! marketplaceId: String! parentAsin: String! sales: ByAsinSales! sku: String
  startDate: Date! traffic: ByAsinTraffic!
}}
type SalesAndTrafficTrends {{
  asinAggregation: AsinGranularity! childAsin: String endDate: Date! marketplaceId: String!
  parentAsin: String! sales: ByAsinSales! sku: String startDate: Date! traffic: ByAsinTraffic!
}}
type Analytics_SalesAndTraffic_2024_04_24 {{
  salesAndTrafficByAsin(aggregateBy: AsinGranularity!, {_PERIOD_ARGS}): [SalesAndTrafficByAsin]
  salesAndTrafficByDate(aggregateBy: DateGranularity!, {_PERIOD_ARGS}): [SalesAndTrafficByDate]
  salesAndTrafficTrends(
    asinAggregation: AsinGranularity!, dateAggregation: DateGranularity!, endDate: Date!,
    filters: [MarketplaceAsinFilter!]!, startDate: Date!
  ): [SalesAndTrafficTrends]
}}
"""

ECONOMICS_SDL = f"""
scalar Date
scalar Long
type Query {{ {ECONOMICS}: Analytics_Economics_2024_03_15 }}
enum ActionType {{ AWD SIPP }}
enum DateGranularity {{ DAY MONTH RANGE WEEK }}
enum EconomicsPreviewDateGranularity {{ RANGE }}
enum EconomicsPreviewProductIdentifierGranularity {{ MSKU }}
enum FeeType {{ FBA_FULFILLMENT_FEE FBA_STORAGE_FEE }}
enum PreviewFeeType {{
  AGED_INVENTORY_SURCHARGE BASE_FBA_FULFILLMENT_FEE BASE_MONTHLY_STORAGE_FEE CLOSING_FEES
  DIGITAL_SERVICES_FEE_FBA DIGITAL_SERVICES_FEE_SOA FBA_FULFILLMENT_FEES FBA_INBOUND_PLACEMENT_SERVICE_FEE
  HIGH_RETURN_RATE_FEE LOW_INVENTORY_LEVEL_FEE MONTHLY_INVENTORY_STORAGE_FEES PAN_EU_OVERSIZE_FEE
  PER_ITEM_SELLING_FEES REFERRAL_FEES RETURN_PROCESSING_FEE SPONSORED_PRODUCTS_CHARGES
  STORAGE_UTILIZATION_SURCHARGE
}}
enum ProductIdentifierGranularity {{ CHILD_ASIN MSKU PARENT_ASIN }}
enum ProductIdentifierType {{ ASIN FNSKU MSKU }}
type Amount {{ amount: Float! currencyCode: String! }}
input AmountInput {{ amount: Float! currencyCode: String! }}
type AdSummary {{ adTypeName: String! charge: AggregatedDetail }}
type AggregatedDetail {{
  amount: Amount! amountPerUnit: Amount amountPerUnitDelta: Amount promotionAmount: Amount! quantity: Float
  taxAmount: Amount! totalAmount: Amount!
}}
type Economics {{
  ads: [AdSummary] childAsin: String cost: PerUnitCost endDate: Date! fees: [FeeSummary]! fnsku: String
  marketplaceId: String! msku: String netProceeds: NetProceeds! parentAsin: String! sales: Sales!
  startDate: Date!
}}
input EconomicsAggregation {{ date: DateGranularity productId: ProductIdentifierGranularity }}
input EconomicsPreviewAggregation {{
  date: EconomicsPreviewDateGranularity productId: EconomicsPreviewProductIdentifierGranularity
}}
type EconomicsProperty {{ propertyName: String! propertyValue: String! }}
type FbaPerUnitCost {{ shippingToAmazonCost: Amount }}
type Fee {{
  aggregatedDetail: AggregatedDetail! components: [FeeComponent] endDate: Date identifier: String!
  properties: [EconomicsProperty] startDate: Date
}}
type FeeComponent {{ aggregatedDetail: AggregatedDetail! name: String! properties: [EconomicsProperty] }}
type FeeSummary {{ charge: Fee charges: [Fee] feeTypeName: String! }}
type MfnPerUnitCost {{ fulfillmentCost: Amount storageCost: Amount }}
type NetProceeds {{ perUnit: Amount total: Amount }}
type PerUnitCost {{
  costOfGoodsSold: Amount fbaCost: FbaPerUnitCost mfnCost: MfnPerUnitCost miscellaneousCost: Amount
}}
input Product {{ identifier: ProductIdentifier! inputContext: ProductInputContext }}
input ProductIdentifier {{ type: ProductIdentifierType! value: String! }}
input ProductInputContext {{
  historicalAverageWeeklySales: Long itemPrice: AmountInput sendToAWDQuantity: Long shipmentLeadTime: Long
  shippingCost: AmountInput unitPerCarton: Long
}}
type Sales {{
  averageSellingPrice: Amount netProductSales: Amount! netUnitsSold: Long! orderedProductSales: Amount!
  refundedProductSales: Amount! unitsOrdered: Long! unitsRefunded: Long!
}}
type Analytics_Economics_2024_03_15 {{
  economics(
    aggregateBy: EconomicsAggregation, endDate: Date!, includeComponentsForFeeTypes: [FeeType],
    marketplaceIds: [String!]!, startDate: Date!
  ): [Economics]
  economicsPreview(
    aggregateBy: EconomicsPreviewAggregation, endDate: Date!, feeTypes: [PreviewFeeType!]!,
    marketplaceIds: [String!]!, startDate: Date!
  ): [Economics]
  economicsSimulation(
    actionTypes: [ActionType!]!, endDate: Date!, marketplaceId: String!, products: [Product!]!,
    startDate: Date!
  ): [Economics]
}}
"""

SCHEMAS: dict[str, GraphQLSchema] = {
    SALES_AND_TRAFFIC: build_schema(SALES_AND_TRAFFIC_SDL),
    ECONOMICS: build_schema(ECONOMICS_SDL),
}
