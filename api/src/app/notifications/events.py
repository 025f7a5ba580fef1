"""What the notifications domain announces (`app.kit.events`); the domains above it subscribe.

`OrderChangeNotified`: Amazon said an order of a seller changed (ORDER_CHANGE), for one of the
tenant's active connections to that seller and marketplace. The orders domain refreshes the order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderChangeNotified:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    amazon_order_id: str
    marketplace_id: str | None
