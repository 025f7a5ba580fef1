"""Notification envelopes and their delivery.

Envelopes follow ``notification-schemas/``: ORDER_CHANGE uses PascalCase keys (``NotificationVersion`` ...
``NotificationMetadata``), the processing-finished and client-secret types camelCase. Delivery runs on one
worker thread per emulator instance so a slow or missing queue never blocks or breaks a request: SQS
destinations are reached with boto3 at ``AWS_ENDPOINT_URL`` (a local SQS such as moto; without it nothing is
sent, never to real AWS), ``http`` destinations (an emulator extension) get the JSON by POST. Every message is
kept in a bounded outbox (``GET /_emulator/notifications``) with its delivery result.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from amazon_emulator.apis._orders_v0_shapes import DAY, person, shipped_units
from amazon_emulator.clock import iso_ms
from amazon_emulator.data.models import PENDING, SHIPPED, Order

log = logging.getLogger(__name__)
OUTBOX_SIZE = 2000
_IDLE_SECONDS = 2.0


def _account(seller_id: str) -> str:
    return f"amzn1.merchant.o.{seller_id}"


def order_change(
    seller_id: str, order: Order, at: float, metadata: dict[str, str], now: float
) -> dict[str, Any]:
    status = order.status_at(at) or PENDING
    shipped, unshipped = shipped_units(order, status)
    t0 = order.purchase_ts
    items = []
    for index, item in enumerate(order.items):
        done = status == SHIPPED or (status == "PartiallyShipped" and index == 0)
        line: dict[str, Any] = {
            "OrderItemId": item.order_item_id,
            "SellerSKU": item.product.sku,
            "SupplySourceId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seller_id}/{order.fulfillment_channel}")),
            "Quantity": item.quantity,
            "QuantityShipped": item.quantity if done else 0,
        }
        if status == "PartiallyShipped":
            # Amazon shows item statuses only when the items of an order differ.
            line["OrderItemStatus"] = "Shipped" if done else "Unshipped"
        items.append(line)
    summary: dict[str, Any] = {
        "MarketplaceId": order.marketplace_id,
        "OrderStatus": status,
        "PurchaseDate": iso_ms(t0),
        "DestinationPostalCode": person(order).postal_code,
        "FulfillmentType": order.fulfillment_channel,
        "OrderType": "StandardOrder",
        "NumberOfItemsShipped": shipped,
        "NumberOfItemsUnshipped": unshipped,
        "EarliestShipDate": iso_ms(t0 + DAY),
        "LatestShipDate": iso_ms(t0 + 2 * DAY),
    }
    if order.fulfillment_channel == "MFN":
        summary["EarliestDeliveryDate"] = iso_ms(t0 + 3 * DAY)
        summary["LatestDeliveryDate"] = iso_ms(t0 + 7 * DAY)
    if order.is_business:
        summary["OrderPrograms"] = ["Business"]
    summary["OrderItems"] = items
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": iso_ms(now),
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller_id,
                "AmazonOrderId": order.amazon_order_id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": iso_ms(at),
                    "ChangeReason": f"Order status is {status}",
                },
                "Summary": summary,
            }
        },
        "NotificationMetadata": {
            "ApplicationId": metadata["applicationId"],
            "SubscriptionId": metadata["subscriptionId"],
            "PublishTime": metadata["publishTime"],
            "NotificationId": metadata["notificationId"],
        },
    }


VERSIONS = {
    "REPORT_PROCESSING_FINISHED": "2020-09-04",
    "FEED_PROCESSING_FINISHED": "2020-09-04",
    "DATA_KIOSK_QUERY_PROCESSING_FINISHED": "2023-11-15",
    "APPLICATION_OAUTH_CLIENT_NEW_SECRET": "2023-11-30",
}
_PAYLOAD_KEYS = {
    "REPORT_PROCESSING_FINISHED": ("reportProcessingFinishedNotification",
                                   ("reportId", "reportType", "processingStatus", "reportDocumentId")),
    "FEED_PROCESSING_FINISHED": ("feedProcessingFinishedNotification",
                                 ("feedId", "feedType", "processingStatus", "resultFeedDocumentId")),
}  # fmt: skip


def camel_envelope(
    notification_type: str, payload: dict[str, Any], metadata: dict[str, str], now: float
) -> dict[str, Any]:
    version = VERSIONS[notification_type]
    return {
        "notificationVersion": "1.0" if notification_type.startswith("APPLICATION_") else version,
        "notificationType": notification_type,
        "payloadVersion": version,
        "eventTime": iso_ms(now),
        "payload": payload,
        "notificationMetadata": metadata,
    }


def job_payload(notification_type: str, event: dict[str, Any]) -> dict[str, Any]:
    """The payload of a processing-finished notification from a reports/feeds/Data Kiosk event."""
    seller_id = event["selling_partner_id"]
    if notification_type in _PAYLOAD_KEYS:
        key, fields = _PAYLOAD_KEYS[notification_type]
        body = {"sellerId": seller_id, "accountId": _account(seller_id)}
        body.update({f: event[f] for f in fields if event.get(f) is not None})
        return {key: body}
    body = {"accountId": _account(seller_id)}
    for name in ("queryId", "query", "processingStatus", "dataDocumentId", "errorDocumentId"):
        if event.get(name) is not None:
            body[name] = event[name]
    return body


def metadata(application_id: str, subscription_id: str, now: float) -> dict[str, str]:
    return {
        "applicationId": application_id,
        "subscriptionId": subscription_id,
        "publishTime": iso_ms(now),
        "notificationId": str(uuid.uuid4()),
    }


@dataclass
class Delivery:
    notification_type: str
    destination_id: str
    target: dict[str, Any]
    message: dict[str, Any]
    status: str = "pending"  # pending | delivered | failed | undeliverable
    error: str | None = None

    def public(self) -> dict[str, Any]:
        return {
            "notification_type": self.notification_type,
            "destination_id": self.destination_id,
            "target": self.target,
            "status": self.status,
            "error": self.error,
            "message": self.message,
        }


@dataclass
class Publisher:
    outbox: deque[Delivery] = field(default_factory=lambda: deque(maxlen=OUTBOX_SIZE))
    pending: queue.Queue[Delivery] = field(default_factory=queue.Queue)
    lock: threading.Lock = field(default_factory=threading.Lock)
    worker: threading.Thread | None = None
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def send(self, delivery: Delivery) -> None:
        """Queue one message for delivery (returns at once)."""
        with self.lock:
            self.outbox.append(delivery)
        self.pending.put(delivery)
        with self.lock:
            if self.worker is None or not self.worker.is_alive():
                self.worker = threading.Thread(target=self._run, name="notifications", daemon=True)
                self.worker.start()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued was attempted (tests and the admin poll route)."""
        done = threading.Event()

        def waiter() -> None:
            self.pending.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        return done.wait(timeout)

    def _run(self) -> None:
        while True:
            try:
                delivery = self.pending.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self.lock:
                    if self.pending.empty():
                        self.worker = None
                        return
                continue
            try:
                self._deliver(delivery)
            except Exception as exc:  # a broken destination must never stop the worker
                delivery.status, delivery.error = "failed", f"{type(exc).__name__}: {exc}"
                log.warning(
                    "notification %s to %s failed: %s", delivery.notification_type, delivery.target, exc
                )
            finally:
                self.pending.task_done()

    def _deliver(self, delivery: Delivery) -> None:
        body = json.dumps(delivery.message)
        if "sqs" in delivery.target:
            endpoint = os.environ.get("AWS_ENDPOINT_URL")
            if not endpoint:
                delivery.status, delivery.error = "undeliverable", "AWS_ENDPOINT_URL is not set"
                return
            _, _, _, region, _, name = delivery.target["sqs"]["arn"].split(":", 5)
            client = self._sqs(endpoint, region)
            url = client.get_queue_url(QueueName=name)["QueueUrl"]
            client.send_message(QueueUrl=url, MessageBody=body)
        elif "http" in delivery.target:
            import httpx

            httpx.post(delivery.target["http"]["url"], content=body, timeout=10,
                       headers={"content-type": "application/json"}).raise_for_status()  # fmt: skip
        elif "eventBridge" in delivery.target:
            delivery.status, delivery.error = "undeliverable", "EventBridge delivery is not emulated"
            return
        else:
            delivery.status, delivery.error = "undeliverable", "no destination"
            return
        delivery.status = "delivered"

    def _sqs(self, endpoint: str, region: str) -> Any:
        key = (endpoint, region)
        if key not in self.clients:
            import boto3  # type: ignore[import-untyped]

            # A local SQS accepts any key; real credentials from the environment win when present.
            access = os.environ.get("AWS_ACCESS_KEY_ID", "emulator")
            secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "emulator")
            self.clients[key] = boto3.client(
                "sqs", endpoint_url=endpoint, region_name=region,
                aws_access_key_id=access, aws_secret_access_key=secret,
            )  # fmt: skip
        return self.clients[key]
