"""What the notifications domain announces (`app.kit.events`); the domains above it subscribe.

`OrderChangeNotified`: Amazon said an order of a seller changed (ORDER_CHANGE), for one of the
tenant's active connections to that seller and marketplace, with when the order changed (Amazon's
`TimeOfOrderChange`, else the notification's `EventTime`, else its arrival). The orders domain
refreshes the order, or leaves it to a delta of the connection when getOrder's plan cannot keep up.

`ReportProcessingFinished`: a report (REPORT_PROCESSING_FINISHED) or a Data Kiosk query
(DATA_KIOSK_QUERY_PROCESSING_FINISHED) of a seller finished, for each of the tenant's active
connections to that seller. The reports domain runs the matching reports' next step at once.

`FeedProcessingFinished`: a feed of a seller finished (FEED_PROCESSING_FINISHED: DONE, CANCELLED or
FATAL), for each of the tenant's active connections to that seller. The feeds domain runs the
matching feed's next step at once (its processing report is read).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class OrderChangeNotified:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    amazon_order_id: str
    marketplace_id: str | None
    changed_at: datetime | None = None


@dataclass(frozen=True)
class ReportProcessingFinished:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    # Amazon's reportId or queryId.
    amazon_id: str
    kind: Literal["report", "datakiosk_query"]
    processing_status: str | None


@dataclass(frozen=True)
class FeedProcessingFinished:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    # Amazon's feedId.
    amazon_feed_id: str
    feed_type: str | None
    processing_status: str | None
