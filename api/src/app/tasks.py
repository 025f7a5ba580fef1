"""What every entry point (the API, the worker, the scheduler, the notifications consumer, the tests)
loads before it runs: every actor, every domain-event subscriber and sync dataset (they register
when their domain's `tasks.py` is imported), and every table (`app.models`: a flush sorts tables by
their foreign keys, and a process that never loaded, say, `tenants` cannot write a `jobs` or
`audit_logs` row that references it). The broker, the engine and the event bus know no domain;
they find what registered here."""

from app import models
from app.ads import tasks as ads_tasks
from app.audit import subscribers as audit_subscribers
from app.auth import tasks as auth_tasks
from app.connections import tasks as connections_tasks
from app.feeds import tasks as feeds_tasks
from app.notifications import tasks as notifications_tasks
from app.orders import tasks as orders_tasks
from app.reports import tasks as reports_tasks
from app.sync import tasks as sync_tasks
from app.worker import tasks as worker_tasks

__all__ = [
    "ads_tasks",
    "audit_subscribers",
    "auth_tasks",
    "connections_tasks",
    "feeds_tasks",
    "models",
    "notifications_tasks",
    "orders_tasks",
    "reports_tasks",
    "sync_tasks",
    "worker_tasks",
]
