"""Jobs of the connections domain.

`sync.connection_onboarded` starts a new connection's first sync; the sync engine declares it
(`app.sync.tasks`). Onboarding enqueues it by this name.
"""

from __future__ import annotations

FIRST_SYNC_ACTOR = "sync.connection_onboarded"
