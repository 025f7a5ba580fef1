"""The feeds routes of the raw path: createDocument (a draft, Amazon not called), the upload into our
storage (the declared Content-Type or 415, the size cap or 413, again = replaces), create (409 before
the upload, marketplaces of the connection, the job enqueued), status, the list in keyset pages, the
input and report downloads (409 while none), the results page; admins submit, members read; another
tenant's feed is 404."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage, LocalStorage
from app.feeds.repository import FeedRepository
from app.feeds.schemas import FeedCreate, FeedDocumentCreate, FeedDocumentOut, FeedOut, FeedsPage
from app.feeds.service import FeedsService
from app.settings import get_settings
from app.worker.enqueue import buffered_jobs
from tests.auth.helpers import as_user, sign_up, sign_up_verified
from tests.factories.connections import make_connection
from tests.factories.feeds import INVENTORY_LOADER, TSV, US, inventory_tsv, make_feed_seller
from tests.tenants.helpers import join

CA = "A2EUQ1WTGCTBG2"


@pytest.fixture
def storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DocumentStorage:
    local = LocalStorage(tmp_path / "documents")
    monkeypatch.setattr("app.feeds.endpoints.storage_from_settings", lambda settings: local)
    return local


async def tenant_with_connection(
    client: httpx.AsyncClient, session: AsyncSession, name: str = "Acme"
) -> tuple[str, uuid.UUID]:
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant_id = response.json()["id"]
    connection = await make_connection(session, uuid.UUID(tenant_id), marketplaces=[US, CA], status="active")
    return tenant_id, connection.id


async def new_document(
    client: httpx.AsyncClient, tenant_id: str, connection_id: uuid.UUID
) -> FeedDocumentOut:
    response = await client.post(
        "/api/feeds/createDocument",
        params={"tenant_id": tenant_id},
        json={"connectionId": str(connection_id), "contentType": TSV},
    )
    assert response.status_code == 201, response.text
    return FeedDocumentOut.model_validate(response.json())


async def upload(
    client: httpx.AsyncClient,
    tenant_id: str,
    document: FeedDocumentOut,
    content: bytes,
    content_type: str = TSV,
) -> httpx.Response:
    return await client.put(
        document.upload_url,
        params={"tenant_id": tenant_id},
        content=content,
        headers={"content-type": content_type},
    )


def create_body(feed_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    return {
        "inputFeedDocumentId": str(feed_id),
        "feedType": INVENTORY_LOADER,
        "marketplaceIds": [US],
        **extra,
    }


async def test_the_raw_path_from_document_to_status(
    client: httpx.AsyncClient, session: AsyncSession, storage: DocumentStorage
) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    document = await new_document(client, tenant_id, connection_id)
    assert document.upload_url == f"/api/feeds/{document.feed_id}/upload"
    assert (document.content_type, document.max_bytes) == (TSV, 100 * 1024 * 1024)
    draft = FeedOut.model_validate(
        (await client.get(f"/api/feeds/{document.feed_id}/status", params={"tenant_id": tenant_id})).json()
    )
    assert (draft.status, draft.source, draft.feed_type, draft.input_size_bytes) == ("draft", "raw", "", None)

    # Created before the upload: there is nothing to send.
    early = await client.post(
        "/api/feeds/create", params={"tenant_id": tenant_id}, json=create_body(document.feed_id)
    )
    assert early.status_code == 409 and "Upload the file first" in early.json()["error"]["message"]

    # Another type than the declared one: what Amazon's URL would refuse, refused here with both named.
    wrong = await upload(client, tenant_id, document, inventory_tsv(), "text/csv")
    assert wrong.status_code == 415
    assert "text/csv" in wrong.json()["error"]["message"] and TSV in wrong.json()["error"]["message"]
    # Same type, other spelling: accepted; again: replaces.
    assert (
        await upload(client, tenant_id, document, b"first", "text/tab-separated-values;charset=utf-8")
    ).status_code == 200
    uploaded = await upload(client, tenant_id, document, inventory_tsv())
    assert uploaded.status_code == 200, uploaded.text
    assert FeedOut.model_validate(uploaded.json()).input_size_bytes == len(inventory_tsv())
    downloaded = await client.get(f"/api/feeds/{document.feed_id}/input", params={"tenant_id": tenant_id})
    assert downloaded.status_code == 200 and downloaded.content == inventory_tsv()
    assert (
        downloaded.headers["content-disposition"]
        == f'attachment; filename="feed_{document.feed_id}_input.tsv"'
    )
    empty = await upload(client, tenant_id, document, b"")
    assert empty.status_code == 422
    assert (
        await client.get(f"/api/feeds/{document.feed_id}/input", params={"tenant_id": tenant_id})
    ).content == (inventory_tsv()), "a refused upload leaves the earlier one as it was"

    not_ours = await client.post(
        "/api/feeds/create",
        params={"tenant_id": tenant_id},
        json=create_body(document.feed_id, marketplaceIds=["A1F83G8C2ARO7P"]),
    )
    assert not_ours.status_code == 422 and "A1F83G8C2ARO7P" in not_ours.json()["error"]["message"]

    created = await client.post(
        "/api/feeds/create",
        params={"tenant_id": tenant_id},
        json=create_body(document.feed_id, feedOptions={"some": "option"}),
    )
    assert created.status_code == 202, created.text
    feed = FeedOut.model_validate(created.json())
    assert (feed.status, feed.feed_type, feed.marketplace_ids, feed.content_type) == (
        "pending",
        INVENTORY_LOADER,
        [US],
        TSV,
    )
    assert feed.amazon_feed_id is None and feed.summary is None and not feed.has_report
    again = await client.post(
        "/api/feeds/create", params={"tenant_id": tenant_id}, json=create_body(document.feed_id)
    )
    assert again.status_code == 409
    # Submitted: the file no longer changes.
    assert (await upload(client, tenant_id, document, b"other")).status_code == 409
    report = await client.get(f"/api/feeds/{document.feed_id}/report", params={"tenant_id": tenant_id})
    assert report.status_code == 409 and "not finished" in report.json()["error"]["message"]
    results = await client.get(f"/api/feeds/{document.feed_id}/results", params={"tenant_id": tenant_id})
    assert results.status_code == 200
    assert results.json() == {
        "items": [],
        "next_cursor": None,
        "counts": {"accepted": 0, "warning": 0, "error": 0},
    }


async def test_the_upload_is_capped(
    client: httpx.AsyncClient,
    session: AsyncSession,
    storage: DocumentStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    document = await new_document(client, tenant_id, connection_id)
    monkeypatch.setattr("app.feeds.service.max_bytes", lambda settings: 1000)
    monkeypatch.setattr("app.feeds.endpoints.max_bytes", lambda settings: 1000)
    too_large = await upload(client, tenant_id, document, b"x" * 1001)
    assert too_large.status_code == 413

    async def unannounced() -> Any:
        # No Content-Length: the cap holds while the body streams in.
        for _ in range(5):
            yield b"y" * 300

    streamed = await client.put(
        document.upload_url,
        params={"tenant_id": tenant_id},
        content=unannounced(),
        headers={"content-type": TSV},
    )
    assert streamed.status_code == 413
    assert (
        await client.get(f"/api/feeds/{document.feed_id}/input", params={"tenant_id": tenant_id})
    ).status_code == 409
    assert (await upload(client, tenant_id, document, b"z" * 1000)).status_code == 200


async def test_create_enqueues_the_job_after_the_commit(
    session: AsyncSession, storage: DocumentStorage
) -> None:
    seller = await make_feed_seller(session)
    service = FeedsService(session, get_settings())
    document = await service.create_document(
        seller.tenant_id,
        FeedDocumentCreate(connection_id=seller.connection_id, content_type=TSV),
        user_id=None,
    )
    assert buffered_jobs(session) == [], "a draft runs nothing"

    async def chunks() -> AsyncIterator[bytes]:
        yield inventory_tsv()

    await service.upload(seller.tenant_id, document.feed_id, TSV, chunks(), storage)
    body = FeedCreate.model_validate(create_body(document.feed_id))
    await service.create(seller.tenant_id, body, storage)
    assert [(j.actor_name, j.kwargs) for j in buffered_jobs(session)] == [
        ("feeds.run_feed", {"feed_id": str(document.feed_id), "tenant_id": str(seller.tenant_id)})
    ]


async def test_list_pages_and_filters(
    client: httpx.AsyncClient, session: AsyncSession, storage: DocumentStorage
) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    ids = [(await new_document(client, tenant_id, connection_id)).feed_id for _ in range(5)]
    await FeedRepository(session).update(uuid.UUID(tenant_id), ids[0], status="error", error="x")
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"tenant_id": tenant_id, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = FeedsPage.model_validate((await client.get("/api/feeds", params=params)).json())
        seen += [item.id for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    # One transaction here: the same created_at for all, so the id decides (as it does for ties).
    assert seen == sorted(ids, reverse=True), "each once, in keyset order"
    errors = FeedsPage.model_validate(
        (await client.get("/api/feeds", params={"tenant_id": tenant_id, "status": "error"})).json()
    )
    assert [item.id for item in errors.items] == [ids[0]]
    assert (await client.get("/api/feeds", params={"tenant_id": tenant_id, "status": ""})).status_code == 200
    other = await client.get(
        "/api/feeds", params={"tenant_id": tenant_id, "connection_id": str(uuid.uuid4())}
    )
    assert other.json()["items"] == []
    bad = await client.get("/api/feeds", params={"tenant_id": tenant_id, "cursor": "nonsense"})
    assert bad.status_code == 400


async def test_admins_submit_members_read_other_tenants_see_nothing(
    client: httpx.AsyncClient, session: AsyncSession, storage: DocumentStorage
) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    document = await new_document(client, tenant_id, connection_id)
    viewer = as_user(client)
    await sign_up_verified(viewer, session)
    await join(client, viewer, session, tenant_id, "viewer")
    assert (await viewer.get("/api/feeds", params={"tenant_id": tenant_id})).status_code == 200
    assert (
        await viewer.get(f"/api/feeds/{document.feed_id}/status", params={"tenant_id": tenant_id})
    ).status_code == 200
    forbidden = [
        await viewer.post(
            "/api/feeds/createDocument",
            params={"tenant_id": tenant_id},
            json={"connection_id": str(connection_id), "content_type": TSV},
        ),
        await upload(viewer, tenant_id, document, inventory_tsv()),
        await viewer.post(
            "/api/feeds/create", params={"tenant_id": tenant_id}, json=create_body(document.feed_id)
        ),
    ]
    assert [r.status_code for r in forbidden] == [403, 403, 403]

    # A tenant of their own: the first tenant's feed and connection are unknown there.
    own = (await viewer.post("/api/tenants", json={"name": "Own"})).json()["id"]
    for path in (f"/api/feeds/{document.feed_id}/status", f"/api/feeds/{document.feed_id}/results"):
        assert (await viewer.get(path, params={"tenant_id": own})).status_code == 404
    assert (await upload(viewer, own, document, inventory_tsv())).status_code == 404
    stolen = await viewer.post(
        "/api/feeds/createDocument",
        params={"tenant_id": own},
        json={"connectionId": str(connection_id), "contentType": TSV},
    )
    assert stolen.status_code == 404
    await viewer.aclose()


async def test_an_ads_or_inactive_connection_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, storage: DocumentStorage
) -> None:
    await sign_up(client)
    tenant_id, _ = await tenant_with_connection(client, session)
    reauth = await make_connection(session, uuid.UUID(tenant_id), marketplaces=[US], status="needs_reauth")
    response = await client.post(
        "/api/feeds/createDocument",
        params={"tenant_id": tenant_id},
        json={"connectionId": str(reauth.id), "contentType": TSV},
    )
    assert response.status_code == 422 and "reconnect" in response.json()["error"]["message"]
    assert buffered_jobs(session) == []
