"""Worker middleware: a log line and metrics for every job.

Every line a job logs carries `message_id` (Dramatiq's id of this execution) and `actor`; a sync
window also binds `job_id`, its row in `jobs` (`app.sync.run_base`), and an Amazon answer
`amzn_request_id` (`app.amazon_http.transport`). Those two are bound inside the job's coroutine, which
runs as its own asyncio task on a copy of this thread's context: they end with the job."""

from __future__ import annotations

import time
from typing import Any

import dramatiq
import structlog
from dramatiq.broker import MessageProxy

from app.kit.metrics import JOB_LATENCY, JOBS

log = structlog.get_logger("app.worker")


class JobLogging(dramatiq.Middleware):
    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        message.options["_started"] = time.perf_counter()
        structlog.contextvars.bind_contextvars(message_id=message.message_id, actor=message.actor_name)
        log.info("job_started", attempt=message.options.get("retries", 0))

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        elapsed = time.perf_counter() - message.options.pop("_started", time.perf_counter())
        outcome = "error" if exception else "done"
        JOBS.labels(message.actor_name, outcome).inc()
        JOB_LATENCY.labels(message.actor_name).observe(elapsed)
        if exception:
            log.error(
                "job_failed",
                error=type(exception).__name__,
                detail=str(exception)[:500],
                duration_ms=round(elapsed * 1000, 1),
            )
        else:
            log.info("job_done", duration_ms=round(elapsed * 1000, 1))
        structlog.contextvars.unbind_contextvars("message_id", "actor")
