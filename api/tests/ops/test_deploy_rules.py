"""`deploy/prometheus-alerts.yml` and `deploy/grafana-dashboard.json` query only metrics the product
exports: every metric name in their PromQL is one the registry renders (with the scrape-time
collectors registered), and the alerts the operator relies on are there."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from app.health.metrics import OpsCollector, OpsSnapshot
from app.health.repository import FreshnessRow
from app.kit.metrics import render_metrics
from app.worker.queues import QueueStats
from tests.fixtures.app import REPO_ROOT

ALERTS = REPO_ROOT / "deploy" / "prometheus-alerts.yml"
DASHBOARD = REPO_ROOT / "deploy" / "grafana-dashboard.json"

KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}
_MODIFIERS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_VALUES = re.compile(r"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)")
_SERIES_SUFFIXES = {
    "counter": ("",),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not its functions, labels or keywords)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = _MODIFIERS.sub(" ", expr)
    names = set()
    for match in _NAME.finditer(expr):
        if expr[match.end() :].lstrip().startswith("(") or match.group(0) in KEYWORDS:
            continue  # a function or an aggregation, or an operator
        if match.start() > 0 and (expr[match.start() - 1].isdigit() or expr[match.start() - 1] == "."):
            continue  # a number's exponent or unit
        names.add(match.group(0))
    return names


def exported_series() -> set[str]:
    """Every series name /metrics can serve: the registry's families with their samples' suffixes."""
    now = datetime.now(UTC)
    snapshot = OpsSnapshot(
        now,
        queues=[QueueStats("default", 1, 0, 0, 1.0)],
        freshness=[FreshnessRow(uuid.uuid4(), uuid.uuid4(), "orders", now - timedelta(minutes=5), now, 1)],
        intervals={"orders": 900.0},
    )
    text = render_metrics([OpsCollector(snapshot)])[0].decode()
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.update(name + suffix for suffix in _SERIES_SUFFIXES.get(kind, ("",)))
    return names


def alert_rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_queries() -> Iterator[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))

    def walk(panels: list[dict[str, Any]]) -> Iterator[str]:
        for panel in panels:
            yield from (target["expr"] for target in panel.get("targets", []))
            yield from walk(panel.get("panels", []))

    yield from walk(dashboard["panels"])
    for variable in dashboard["templating"]["list"]:
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        if variable["type"] == "query":
            match = _LABEL_VALUES.match(query or "")
            assert match, f"variable {variable['name']}: not a label_values() query: {query!r}"
            yield match.group(1)


def test_the_parser_finds_names_and_nothing_else() -> None:
    expr = (
        'sum by (service) (rate(amazon_throttled_total{tenant=~"$tenant"}[15m]))'
        " / on (service) group_left () 2 * max by (dataset) (sync_delta_interval_seconds offset 5m)"
        " > 0.01 and vector(1e3) or nope_total"
    )
    assert metric_names(expr) == {"amazon_throttled_total", "sync_delta_interval_seconds", "nope_total"}


def test_alert_rules_name_exported_metrics() -> None:
    exported = exported_series()
    rules = alert_rules()
    assert {r["alert"] for r in rules} >= {
        "ConnectionDataStale",
        "QueueBacklogOld",
        "AmazonThrottleShareHigh",
        "RefreshTokenRefused",
    }
    used: set[str] = set()
    for rule in rules:
        names = metric_names(rule["expr"])
        assert names, f"{rule['alert']}: no metric in {rule['expr']!r}"
        assert names <= exported, f"{rule['alert']} uses {sorted(names - exported)}, not exported"
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        used |= names
    assert {
        "sync_freshness_lag_seconds",
        "dramatiq_queue_oldest_age_seconds",
        "lwa_token_requests_total",
    } <= used


def test_dashboard_queries_name_exported_metrics() -> None:
    exported = exported_series()
    queries = list(dashboard_queries())
    used: set[str] = set()
    for expr in queries:
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        assert names <= exported, f"{expr!r} uses {sorted(names - exported)}, not exported"
        used |= names
    assert {
        "amazon_requests_total",
        "amazon_throttled_total",
        "dramatiq_queue_depth",
        "dramatiq_queue_oldest_age_seconds",
        "sync_freshness_lag_seconds",
        "jobs_total",
        "lwa_token_requests_total",
    } <= used
