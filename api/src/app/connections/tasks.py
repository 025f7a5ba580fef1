"""Jobs of the connections domain.

`sync.connection_onboarded` starts a new connection's first sync; the sync engine declares it
(`app.sync.tasks`). `notifications.subscribe_order_changes` subscribes the seller to ORDER_CHANGE
(`app.notifications.tasks`). Onboarding enqueues them by these names.
"""

from __future__ import annotations

FIRST_SYNC_ACTOR = "sync.connection_onboarded"
SUBSCRIBE_ACTOR = "notifications.subscribe_order_changes"
