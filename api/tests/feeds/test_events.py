"""What else moves a feed: FEED_PROCESSING_FINISHED runs the feed's next step at once (for every
tenant's connection to the seller, never another seller's feed with the same id), the subscription
is made with the other job notifications, and the scheduler's sweep revives a feed whose polling
message was lost; the per-message results page, errors first, in keyset pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import LocalStorage
from app.feeds.repository import FeedRepository, ResultRow
from app.feeds.schemas import FeedResultsPage
from app.feeds.service import FeedsService
from app.notifications.service import JOB_NOTIFICATIONS, handle_notification
from app.settings import get_settings
from app.worker.enqueue import buffered_jobs, discard_buffered_jobs
from tests.auth.helpers import sign_up
from tests.factories.connections import make_connection
from tests.factories.feeds import US, FeedSeller, inventory_tsv, make_feed, make_feed_seller


def feed_finished(seller_id: str, feed_id: str, status: str = "DONE") -> dict[str, Any]:
    return {
        "notificationVersion": "2020-09-04",
        "notificationType": "FEED_PROCESSING_FINISHED",
        "payloadVersion": "2020-09-04",
        "eventTime": "2026-12-06T10:00:00Z",
        "payload": {
            "feedProcessingFinishedNotification": {
                "sellerId": seller_id,
                "accountId": f"amzn1.merchant.o.{seller_id}",
                "feedId": feed_id,
                "feedType": "JSON_LISTINGS_FEED",
                "processingStatus": status,
                "resultFeedDocumentId": "amzn1.tortuga.3.1",
            }
        },
        "notificationMetadata": {
            "applicationId": "amzn1.sp.solution.x",
            "subscriptionId": "s",
            "publishTime": "t",
        },
    }


async def test_a_finished_feed_runs_its_next_step_at_once(session: AsyncSession, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    seller = await make_feed_seller(session, account_id="AFEEDSELLER1")
    feed = await make_feed(
        session, seller, storage, inventory_tsv(), status="processing", amazon_feed_id="70001"
    )
    # The same seller connected by an agency, and another seller's feed with the same id.
    agency = await make_feed_seller(session, account_id="AFEEDSELLER1")
    theirs = await make_feed(
        session, agency, storage, inventory_tsv(), status="processing", amazon_feed_id="70001"
    )
    other = await make_feed_seller(session, account_id="AFEEDSELLER2")
    await make_feed(session, other, storage, inventory_tsv(), status="processing", amazon_feed_id="70001")
    done = await make_feed_seller(session, account_id="AFEEDSELLER3")
    await make_feed(session, done, storage, inventory_tsv(), status="done", amazon_feed_id="70002")
    discard_buffered_jobs(session)

    keys = get_settings().security.encryption_keys
    assert (
        await handle_notification(session, feed_finished("AFEEDSELLER1", "70001"), encryption_keys=keys)
        == "wake"
    )
    assert (
        await handle_notification(session, feed_finished("AFEEDSELLER3", "70002"), encryption_keys=keys)
        == "wake"
    )
    assert await handle_notification(session, feed_finished("ANOBODY", "70001"), encryption_keys=keys) == (
        "no_connection"
    )
    jobs = sorted((j.kwargs["feed_id"], j.actor_name, j.kwargs["poll"]) for j in buffered_jobs(session))
    assert jobs == sorted(
        [(str(feed.id), "feeds.run_feed", False), (str(theirs.id), "feeds.run_feed", False)]
    ), "both tenants' feeds of that seller and id; a final feed and other sellers' untouched"
    discard_buffered_jobs(session)


def test_sellers_are_subscribed_to_feed_notifications() -> None:
    assert "FEED_PROCESSING_FINISHED" in JOB_NOTIFICATIONS


async def test_the_sweep_revives_a_feed_whose_message_was_lost(session: AsyncSession, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    seller = await make_feed_seller(session)
    now = datetime.now(UTC)
    lost = await make_feed(
        session,
        seller,
        storage,
        inventory_tsv(),
        status="processing",
        next_check_at=now - timedelta(minutes=5),
    )
    await make_feed(session, seller, storage, inventory_tsv(), status="processing", next_check_at=now)
    await make_feed(
        session, seller, storage, inventory_tsv(), status="done", next_check_at=now - timedelta(hours=1)
    )
    await make_feed(session, seller, storage, inventory_tsv(), status="draft")
    discard_buffered_jobs(session)
    revived = await FeedsService(session, get_settings()).revive_overdue(now, 60)
    assert revived == 1
    assert [(j.actor_name, j.kwargs) for j in buffered_jobs(session)] == [
        ("feeds.run_feed", {"feed_id": str(lost.id), "tenant_id": str(seller.tenant_id)})
    ]
    discard_buffered_jobs(session)
    # Its next step is now due "now": the next sweep leaves it alone.
    assert await FeedsService(session, get_settings()).revive_overdue(now + timedelta(seconds=1), 60) == 0


async def test_results_errors_first_in_keyset_pages(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path
) -> None:
    await sign_up(client)
    tenant_id = uuid.UUID((await client.post("/api/tenants", json={"name": "Acme"})).json()["id"])
    connection = await make_connection(session, tenant_id, marketplaces=[US], status="active")
    storage = LocalStorage(tmp_path)
    seller = FeedSeller(tenant_id, connection.id, connection.account_id)
    feed = await make_feed(session, seller, storage, b"{}", feed_type="JSON_LISTINGS_FEED", status="done")
    issue = {"code": "90220", "severity": "ERROR", "message": "'sku' is unknown", "attribute_names": ["sku"]}
    warning = {"code": "18", "severity": "WARNING", "message": "A warning", "attribute_names": []}
    statuses = {1: "accepted", 2: "error", 3: "warning", 4: "accepted", 5: "error", 6: "accepted"}
    rows = [
        ResultRow(
            message_id,
            f"SKU-{message_id}",
            status,
            [issue] if status == "error" else [warning] if status == "warning" else [],
        )
        for message_id, status in statuses.items()
    ]
    repo = FeedRepository(session)
    await repo.replace_results(tenant_id, feed.id, rows)
    # Written again (a step re-run after a crash): the same rows, not twice as many.
    await repo.replace_results(tenant_id, feed.id, rows)
    order: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"tenant_id": str(tenant_id), "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(f"/api/feeds/{feed.id}/results", params=params)
        assert response.status_code == 200, response.text
        page = FeedResultsPage.model_validate(response.json())
        assert page.counts.model_dump() == {"accepted": 3, "warning": 1, "error": 2}
        order += [item.message_id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert order == [2, 5, 3, 1, 4, 6], "errors, then warnings, then accepted; messageId order within"
    errors = FeedResultsPage.model_validate(
        (
            await client.get(
                f"/api/feeds/{feed.id}/results", params={"tenant_id": str(tenant_id), "errors_only": True}
            )
        ).json()
    )
    assert [(i.message_id, i.sku, i.status) for i in errors.items] == [
        (2, "SKU-2", "error"),
        (5, "SKU-5", "error"),
    ]
    assert errors.items[0].issues[0].model_dump() == issue
