"""`spapi-saas notifications`: the SQS consumer (long polling) of the application's queue.

Each message is handled in its own unit of work; it is deleted from the queue only after that
commits and its jobs are sent, so a crash in between means a redelivery, never a loss (handling
is idempotent: a refresh of an order twice changes nothing). A message that can never be handled
(not JSON, no order id) is logged without its content and deleted. boto3 is synchronous: its
calls run in a thread so the event loop stays free. On start, the process subscribes the sellers
that have no ORDER_CHANGE subscription yet (connected before the queue was configured).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.session import unit_of_work
from app.notifications.service import InvalidNotification, handle_notification
from app.notifications.sqs import sqs_client
from app.notifications.tasks import subscribe_missing
from app.settings import Settings

log = structlog.get_logger("app.notifications")

WAIT_SECONDS = 20  # SQS long polling: at most 20 s
BATCH = 10  # SQS answers at most 10 messages per receive
ERROR_PAUSE_S = 5.0


class NotificationConsumer:
    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.queue_url = settings.notifications.notifications_sqs_queue_url
        self.sqs = sqs_client(settings)

    async def receive(self, wait_s: int = WAIT_SECONDS) -> list[dict[str, Any]]:
        answer = await asyncio.to_thread(
            self.sqs.receive_message,
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=BATCH,
            WaitTimeSeconds=wait_s,
        )
        messages: list[dict[str, Any]] = answer.get("Messages") or []
        return messages

    async def delete(self, message: dict[str, Any]) -> None:
        await asyncio.to_thread(
            self.sqs.delete_message, QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
        )

    async def handle(self, message: dict[str, Any]) -> str:
        """Handle one SQS message; returns the outcome ("kept" when it stays for redelivery)."""
        message_id = message.get("MessageId")
        try:
            body = json.loads(message.get("Body") or "")
            if not isinstance(body, dict):
                raise InvalidNotification("the message is not a JSON object")
            async with unit_of_work(self.sessionmaker) as session:
                outcome: str = await handle_notification(
                    session, body, encryption_keys=self.settings.security.encryption_keys
                )
        except (json.JSONDecodeError, InvalidNotification) as exc:
            # The body may hold a secret (a rotated client secret): it is not logged.
            log.warning("notification.dropped", message_id=message_id, reason=str(exc)[:200])
            outcome = "dropped"
        except Exception as exc:
            log.exception("notification.failed", message_id=message_id, error=type(exc).__name__)
            return "kept"
        await self.delete(message)
        return outcome

    async def run_once(self, wait_s: int = WAIT_SECONDS) -> list[str]:
        return [await self.handle(message) for message in await self.receive(wait_s)]

    async def run(self, stop: asyncio.Event) -> None:
        """Receive and handle until `stop` is set. A stop during a long poll does not wait for it:
        messages received but not handled come back after the queue's visibility timeout."""
        log.info("notifications.consumer_started", queue_url=self.queue_url)
        stopped = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                receiving = asyncio.ensure_future(self.receive())
                await asyncio.wait({receiving, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():
                    receiving.cancel()
                    break
                try:
                    for message in receiving.result():
                        await self.handle(message)
                except Exception as exc:  # SQS unreachable: keep trying, the queue keeps the messages
                    log.warning("notifications.receive_failed", error=f"{type(exc).__name__}: {exc}")
                    await asyncio.wait({stopped}, timeout=ERROR_PAUSE_S)
        finally:
            stopped.cancel()
        log.info("notifications.consumer_stopped")


async def run_consumer(settings: Settings) -> None:
    """The `spapi-saas notifications` process: consume until SIGINT or SIGTERM."""
    import signal

    from app.db.session import create_engine, create_sessionmaker
    from app.worker.broker import setup_broker

    if not settings.notifications.notifications_sqs_queue_url:
        raise SystemExit("NOTIFICATIONS_SQS_QUEUE_URL is not set: there is no queue to consume")
    setup_broker(settings.redis.redis_url)  # the refreshes are sent as jobs after each commit
    engine = create_engine(settings, pool_size=2)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with unit_of_work(sessionmaker) as session:
            missing = await subscribe_missing(session)
        log.info("notifications.subscriptions_requested", connections=missing)
        await NotificationConsumer(settings, sessionmaker).run(stop)
    finally:
        await engine.dispose()
