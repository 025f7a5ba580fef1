"""Application Management 2023-11-30: ``rotateApplicationClientSecret``.

The call (grantless, scope ``sellingpartnerapi::client_credential:rotation``) answers 204 and issues a new
secret (``amzn1.oa2-cs.v1.``...) that lives 180 days; every older secret keeps working for 7 more days (both
Amazon durations, scaled). The new secret is announced by an ``APPLICATION_OAUTH_CLIENT_NEW_SECRET``
notification to the application's rotation destination (``PUT /_emulator/notifications/rotation-destination``,
Amazon's Developer Console setting), or else to its first destination. It is always in the outbox
(``GET /_emulator/notifications``). With ``extra["rotation_requires_destination"] = True`` an application
without any destination gets Amazon's 400 ("not enrolled").
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from amazon_emulator.apis import _notifications_publish as pub
from amazon_emulator.apis.notifications import deliver, store
from amazon_emulator.auth import GRANTLESS_ROTATION, Caller, sp_operation
from amazon_emulator.clock import iso_ts
from amazon_emulator.errors import invalid_input, unauthorized
from amazon_emulator.state import get_state

router = APIRouter(tags=["Application Management"])
NEW_SECRET_LIFETIME = 180 * 86400.0
OLD_SECRET_GRACE = 7 * 86400.0
NOTIFICATION = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"

Rotate = Annotated[
    Caller,
    Depends(sp_operation("applications.rotateApplicationClientSecret", grantless_scope=GRANTLESS_ROTATION)),
]


@router.post("/applications/2023-11-30/clientSecret", status_code=204)
async def rotate_application_client_secret(request: Request, caller: Rotate) -> Response:
    state = get_state(request)
    app = state.credentials.apps.get(caller.client_id)
    if app is None:
        raise unauthorized("")
    notes = store(state)
    with notes.lock:
        destination_id = notes.rotation_destinations.get(app.application_id) or next(
            (
                d["destinationId"]
                for d in notes.destinations.values()
                if d["application"] == app.application_id
            ),
            None,
        )
    if destination_id is None and state.config.extra.get("rotation_requires_destination"):
        # Amazon's wording, from the model's sandbox example for this 400.
        raise invalid_input(
            "Application is not enrolled for rotation notification. Please update application notification "
            "preference in Developer console."
        )
    new_secret = "amzn1.oa2-cs.v1." + secrets.token_hex(32)
    new_expiry = state.clock.expires_at(NEW_SECRET_LIFETIME)
    old_expiry = state.clock.expires_at(OLD_SECRET_GRACE)
    with state.lock:
        for secret, expiry in list(app.client_secrets.items()):
            if expiry is None or expiry > old_expiry:
                app.client_secrets[secret] = old_expiry
        app.client_secrets[new_secret] = new_expiry
    now = state.clock.time()
    payload = {
        "applicationOAuthClientNewSecret": {
            "clientId": app.client_id,
            "newClientSecret": new_secret,
            "newClientSecretExpiryTime": iso_ts(new_expiry),
            "oldClientSecretExpiryTime": iso_ts(old_expiry),
        }
    }
    meta = pub.metadata(app.application_id, f"rotation-{app.application_id}", now)
    deliver(state, destination_id or "", NOTIFICATION, pub.camel_envelope(NOTIFICATION, payload, meta, now))
    return Response(status_code=204)
