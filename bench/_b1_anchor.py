"""B1's anchor: python-amazon-sp-api's naive per-order loop (`bench/_anchor_naive.py`, in
its own virtualenv, `make anchor-venv`) on the same seller as the product's run, from a fresh
emulator at a scaled clock. `bench/b1_backfill.py`'s doc says why and how it is timed."""

from __future__ import annotations

import json
import math
import os
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import _sync_harness
from _b1_bounds import RANGE_DAYS, bound
from _sync_harness import ROOT, Harness

US = "ATVPDKIKX0DER"
ANCHOR_SCALE = 200.0
ANCHOR_PYTHON = ROOT / "bench" / ".anchor-venv" / "bin" / "python"
ANCHOR_SCRIPT = ROOT / "bench" / "_anchor_naive.py"
# createdBefore must be at least 2 minutes before now; a little more keeps it so.
ANCHOR_MARGIN_S = 10.0
# python-amazon-sp-api keeps an access token this long (seconds, its default).
ANCHOR_AUTH_CACHE_TTL_S = 3200.0


def iso_z(at: datetime) -> str:
    """ISO 8601 in UTC with a Z, whole seconds (as Amazon writes and takes them)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def auth_cache_ttl(scale: float) -> str:
    """The library's access-token cache lifetime (`SP_API_AUTH_CACHE_TTL`, in real
    seconds) at clock x`scale`: its default, 3,200 s, is 400 s short of the 3,600 s an
    access token lives on Amazon; the emulator's token lives 3,600 / scale real
    seconds, so the cache keeps the same relation at 3,200 / scale (whole seconds, at
    least 1)."""
    return str(max(1, math.floor(ANCHOR_AUTH_CACHE_TTL_S / scale)))


def anchor_version() -> str:
    """python-amazon-sp-api's version in the anchor's virtualenv."""
    try:
        out = subprocess.run(
            [
                str(ANCHOR_PYTHON),
                "-c",
                "import importlib.metadata as m; print(m.version('python-amazon-sp-api'))",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return out.stdout.strip() or "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def run_anchor(
    orders_n: int, seller_id: str | None, scale: float, ours: float | None
) -> dict[str, Any]:
    """python-amazon-sp-api's naive loop on the seller `seller_id` (a fresh one when
    None) made anew with `orders_n` orders, at clock x`scale`; `ours` is the product's
    Amazon time, for the ratio."""
    if not ANCHOR_PYTHON.exists():
        line = (
            f"    anchor skipped: {ANCHOR_PYTHON.relative_to(ROOT)} is missing; "
            "run `make anchor-venv` to make it"
        )
        print(line, flush=True)
        return {"lines": [line], "amazon": None, "equal": None}
    version = anchor_version()
    naive = bound(orders_n, 0.5, 30) + math.ceil(orders_n / 100) * 60.0
    timeout = 3 * naive / scale + 300.0
    harness = Harness(time_scale=scale).start()
    try:
        seller = harness.create_seller(
            orders_n, [US], seed=101, selling_partner_id=seller_id
        )
        refresh = harness.refresh_token(seller)
        before = datetime.now(UTC).replace(microsecond=0) - timedelta(
            minutes=2, seconds=ANCHOR_MARGIN_S
        )
        after = before - timedelta(days=RANGE_DAYS)
        command = [
            str(ANCHOR_PYTHON),
            str(ANCHOR_SCRIPT),
            "--endpoint",
            harness.emulator_url,
            "--refresh-token",
            refresh,
            "--client-id",
            _sync_harness.CLIENT_ID,
            "--client-secret",
            _sync_harness.CLIENT_SECRET,
            "--created-after",
            iso_z(after),
            "--created-before",
            iso_z(before),
        ]
        try:
            done = subprocess.run(
                command,
                check=False,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "SP_API_AUTH_CACHE_TTL": auth_cache_ttl(scale)},
            )
        except subprocess.TimeoutExpired:
            line = f"    anchor did not finish in {timeout:,.0f} s of wall time"
            print(line, flush=True)
            return {"lines": [line], "amazon": None, "equal": None}
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
            line = f"    anchor failed (exit {done.returncode}): {tail}"
            print(line, flush=True)
            return {"lines": [line], "amazon": None, "equal": None}
        out = json.loads(done.stdout.strip().splitlines()[-1])
        truth = harness.summary(seller, as_of=iso_z(before))
    finally:
        harness.stop()
    amazon = out["wall_s"] * scale
    equal = (
        out["orders"] == truth["total_orders"] and out["lines"] == truth["total_items"]
    )
    calls = sum(out["calls"].values())
    throttled = sum(out["throttled"].values())
    line = (
        f"    anchor (python-amazon-sp-api {version}, naive per-order loop, emulator "
        f"clock x{scale:g}): {amazon:,.0f} s ({amazon / 3600:.1f} h) for "
        f"{out['orders']:,} orders / {out['lines']:,} lines (truth "
        f"{truth['total_orders']:,} / {truth['total_items']:,}"
        f"{'' if equal else ', NOT EQUAL'}); {calls:,} calls, {throttled:,} throttled"
    )
    if ours:
        line += f" -> {amazon / ours:,.0f}x our time"
    print(line, flush=True)
    return {"lines": [line], "amazon": amazon, "equal": equal, "seller": seller}
