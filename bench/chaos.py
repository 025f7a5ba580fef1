"""The chaos soak (`make chaos`): the whole product under random faults for a bounded time, then exact checks.

The product runs as it does in production, each role its own process (API, two workers, the scheduler,
the notifications consumer), on an embedded PostgreSQL and Redis, against the emulator with a scaled clock
(x60 by default: an Amazon hour per real minute, access tokens living one real minute) publishing order
changes to a local SQS. Throughout the run, sellers are onboarded through the API and the emulator's
consent page, orders are created and change status, and faults land at random moments:

* a worker (either one) or the scheduler SIGKILLed with its process group, restarted after a few seconds;
* PostgreSQL stopped and started; Redis stopped and started without persistence (queues, delayed
  messages, locks and rate-limit buckets lost);
* emulator fault bursts on an operation the product is calling (or on every one): a 429 storm, 500/502/
  503/504 at a random rate, or added latency;
* a seller's refresh token revoked at Amazon.

A role that exits by itself is restarted (as a supervisor would) and listed in the report. Then the
faults stop, the activity stops, and the product settles; the checks (`_chaos_checks`) must all hold:
exact equality of every order and item line for every connection not in re-authorization, no
duplicate, no job or claim stuck, every revoked connection in re-authorization in the database and in
the API. The report lists every fault with its time, what it hit and how the product recovered.

Environment: CHAOS_MINUTES (default 30) of faults, CHAOS_SEED (default random, printed: the same seed
replays the same schedule), CHAOS_TIME_SCALE (60), CHAOS_SETTLE_MINUTES (10, the most the settling
may take), CHAOS_STUCK_MINUTES (5). Exit status 0 on PASS, 1 on FAIL, 2 when the soak itself broke.

Usage: CHAOS_MINUTES=3 CHAOS_SEED=7 .venv/bin/python bench/chaos.py    (or `make chaos`)
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # tests.sync.truth

from _chaos_agency import Agency, Onboarded
from _chaos_checks import Check, job_summary, settled_checks
from _chaos_product import WORKERS, ChaosProduct, called_lately
from _sync_harness import KEY, write_results

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
PROCESS_FAULTS = {"worker_kill": 4, "scheduler_kill": 2, "postgres_restart": 1.5, "redis_restart": 1.5}
BURSTS = ("throttle", "5xx", "latency", "body")
PROBE_S = 180.0  # how long a recovery is watched for
BURST_EXTRA_S = 60.0  # how much longer a burst that hit no call yet may last
WORK_WAIT_S = 20.0  # how long a worker kill waits for a job row running
RETARGET_AFTER_S = 20.0  # a burst that hit nothing this long after its time moves to every operation


@dataclass
class Event:
    at: float
    kind: str
    detail: str
    ended: datetime | None = None
    recovered_s: float | None = None
    landed: bool = True
    job_ids: list[str] = field(default_factory=list)


class Soak:
    def __init__(self) -> None:
        self.minutes = float(os.environ.get("CHAOS_MINUTES") or 30)
        self.seed = int(os.environ.get("CHAOS_SEED") or random.SystemRandom().randrange(1, 10**6))
        self.scale = float(os.environ.get("CHAOS_TIME_SCALE") or 60)
        self.settle_minutes = float(os.environ.get("CHAOS_SETTLE_MINUTES") or 10)
        self.stuck_minutes = float(os.environ.get("CHAOS_STUCK_MINUTES") or 5)
        # One generator per stream, so that one stream's draws do not depend on another's timing.
        self.rng = random.Random(self.seed)  # the schedule
        self.fault_rng = random.Random(self.seed * 7 + 1)
        self.burst_rng = random.Random(self.seed * 7 + 2)
        self.activity_rng = random.Random(self.seed * 7 + 3)
        self.onboard_rng = random.Random(self.seed * 7 + 4)
        self.duration = self.minutes * 60
        self.base = Path(tempfile.mkdtemp(prefix="chaos-soak-"))
        self.product = ChaosProduct(self.base, self.scale)
        self.events: list[Event] = []
        self.onboarded: list[Onboarded] = []
        self.onboarding_failures: list[str] = []
        self.revoked: set[str] = set()
        self.activity = Counter[str]()
        self.t0 = time.monotonic()
        self.engine: Any = None
        self.agency: Agency | None = None
        self.probes: list[asyncio.Task[None]] = []
        self.supervisor: asyncio.Task[None] | None = None

    def t(self) -> float:
        return time.monotonic() - self.t0

    def say(self, message: str) -> None:
        print(f"[chaos +{self.t():7.1f}s] {message}", flush=True)

    # -- the schedule (drawn before anything runs, so a seed replays it) ----------------------------

    def schedule(self) -> tuple[list[tuple[float, str]], list[tuple[float, str]], list[float]]:
        rng, span = self.rng, (10.0, max(20.0, self.duration - 15))
        count = max(len(PROCESS_FAULTS) + 1, int(self.duration / 30))
        kinds = list(PROCESS_FAULTS) + rng.choices(
            list(PROCESS_FAULTS), weights=list(PROCESS_FAULTS.values()), k=count - len(PROCESS_FAULTS)
        )
        kinds += ["revoke"] * max(1, round(self.minutes / 15))
        rng.shuffle(kinds)
        faults = sorted(zip(sorted(rng.uniform(*span) for _ in kinds), kinds, strict=True))
        bursts_n = max(len(BURSTS), int(self.duration / 50))
        burst_kinds = list(BURSTS) + rng.choices(BURSTS, k=bursts_n - len(BURSTS))
        rng.shuffle(burst_kinds)
        bursts = sorted(zip(sorted(rng.uniform(*span) for _ in burst_kinds), burst_kinds, strict=True))
        onboard_at = sorted(
            rng.uniform(0.05, 0.75) * self.duration for _ in range(max(1, round(self.minutes / 3)))
        )
        return faults, bursts, onboard_at

    # -- database probes (PostgreSQL may be down: a probe that fails says so) ----------------------

    async def query(self, sql: str, **params: Any) -> list[Any] | None:
        from sqlalchemy import text

        try:
            async with self.engine.connect() as conn:
                return list((await conn.execute(text(sql), params)).all())
        except Exception:  # PostgreSQL may be down: the probe says "unknown"
            return None

    async def probe_progress(self, event: Event) -> None:
        """Recovered: a job row finished after the fault ended (the product is doing work again)."""
        assert event.ended is not None
        deadline = time.monotonic() + PROBE_S
        while time.monotonic() < deadline:
            found = await self.query(
                "SELECT min(finished_at) FROM jobs WHERE finished_at > :t", t=event.ended
            )
            if found and found[0][0] is not None:
                event.recovered_s = max(0.0, (found[0][0] - event.ended).total_seconds())
                return
            await asyncio.sleep(1.0)

    async def probe_reauth(self, event: Event, connection_id: str) -> None:
        assert event.ended is not None
        deadline = time.monotonic() + self.duration + self.settle_minutes * 60
        while time.monotonic() < deadline:
            found = await self.query(
                "SELECT status FROM connections WHERE id = CAST(:c AS uuid)", c=connection_id
            )
            if found and found[0][0] == "needs_reauth":
                event.recovered_s = (datetime.now(UTC) - event.ended).total_seconds()
                return
            await asyncio.sleep(1.0)

    # -- faults ----------------------------------------------------------------------------------

    async def process_fault(self, kind: str) -> None:
        rng, at = self.fault_rng, self.t()
        if kind == "revoke":
            await self.revoke(at)
            return
        if kind == "worker_kill":
            await self.wait_for_work()
        running = await self.query("SELECT id::text FROM jobs WHERE status = 'running'")
        claimed = await self.query("SELECT count(*) FROM sync_state WHERE claimed_at IS NOT NULL")
        work = (
            f"{len(running)} job rows running, {claimed[0][0] if claimed else '?'} sync rows claimed"
            if running is not None
            else "database unreachable"
        )
        down = rng.uniform(0.5, 6.0)
        if kind in ("worker_kill", "scheduler_kill"):
            if kind == "scheduler_kill":
                roles = ["scheduler"]
            else:  # one worker, or both (then whatever ran is interrupted for sure)
                roles = list(WORKERS) if rng.random() < 0.25 else [rng.choice(WORKERS)]
            killed = [self.product.kill(role) for role in roles]  # every one, even after a False
            alive = all(killed)
            await asyncio.sleep(down)
            for role in roles:
                self.product.spawn(role)
            detail = f"{' and '.join(roles)} SIGKILLed ({work}); restarted after {down:.1f} s"
            event = Event(at, kind, detail, landed=alive, job_ids=[r[0] for r in running or []])
            if not alive:
                event.detail += " [it had already exited]"
        else:
            restart = (
                self.product.restart_postgres if kind == "postgres_restart" else self.product.restart_redis
            )
            started = time.monotonic()
            await asyncio.to_thread(restart, down)
            took = time.monotonic() - started
            event = Event(
                at, kind, f"stopped ({work}); back after {took:.1f} s", job_ids=[r[0] for r in running or []]
            )
        event.ended = datetime.now(UTC)
        self.events.append(event)
        self.say(f"{kind}: {event.detail}")
        self.probes.append(asyncio.create_task(self.probe_progress(event)))

    async def wait_for_work(self) -> None:
        """Until a job row is running (a window, a delta, a report in flight), at most WORK_WAIT_S."""
        deadline = time.monotonic() + WORK_WAIT_S
        while time.monotonic() < deadline:
            found = await self.query("SELECT count(*) FROM jobs WHERE status = 'running'")
            if found and found[0][0]:
                return
            await asyncio.sleep(0.2)

    async def revoke(self, at: float) -> None:
        from app.kit.crypto import decrypt

        candidates = [o for o in self.onboarded if o.connection_id not in self.revoked]
        if len(candidates) < 2:
            self.events.append(Event(at, "revoke", "no connection to spare: not revoked", landed=False))
            return
        target = self.fault_rng.choice(candidates)
        found = await self.query(
            "SELECT refresh_token_enc FROM tokens WHERE connection_id = CAST(:c AS uuid)",
            c=target.connection_id,
        )
        if not found:
            self.events.append(
                Event(at, "revoke", f"no token of {target.connection_id[:8]} readable", landed=False)
            )
            return
        refresh = decrypt([KEY], bytes(found[0][0]))
        answer = await self.agency_call(
            "POST",
            "/_emulator/faults",
            json={"revoke_refresh_token": refresh},  # the token is never printed
        )
        landed = answer is not None and answer.status_code == 200 and answer.json().get("revoked") is True
        if landed:
            self.revoked.add(target.connection_id)
        event = Event(
            at, "revoke", f"seller {target.seller_id}'s refresh token (connection {target.connection_id[:8]})"
        )
        event.landed, event.ended = landed, datetime.now(UTC)
        self.events.append(event)
        self.say(f"revoke: {event.detail} landed={landed}")
        self.probes.append(asyncio.create_task(self.probe_reauth(event, target.connection_id)))

    async def agency_call(self, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        assert self.agency is not None
        try:
            return await self.agency.emulator.request(method, path, **kwargs)
        except httpx.HTTPError:
            return None

    async def burst(self, kind: str) -> None:
        """A burst on an operation the product called lately (drawn by how often it was called) or on
        every one; it lasts until at least one call was hit, up to a minute more than drawn."""
        rng, at = self.burst_rng, self.t()
        recent = await self.agency_call("GET", "/_emulator/requests", params={"limit": 500})
        called = called_lately(recent.json() if recent else [], datetime.now(UTC))
        operation = rng.choice(called) if called and rng.random() < 0.7 else "*"
        seconds = rng.uniform(5.0, 30.0)
        body: dict[str, Any]
        if kind == "throttle":
            body, what = {"throttle_storm_seconds": seconds + BURST_EXTRA_S}, "429 storm"
        elif kind == "5xx":
            statuses = sorted(rng.sample((500, 502, 503, 504), rng.randint(1, 4)))
            rate = rng.uniform(0.2, 0.7)
            body = {"error_rate": rate, "statuses": statuses}
            what = f"{'/'.join(map(str, statuses))} at {rate:.0%}"
        elif kind == "latency":
            body = {"latency_ms": rng.uniform(500, 4000)}
            what = f"+{body['latency_ms']:.0f} ms latency"
        else:  # responses spoilt on the way out: cut mid-body, stalled mid-body, GZIP cut short
            script = [rng.choice(("reset", "stall", "gzip_cut", "ok")) for _ in range(rng.randint(3, 12))]
            body = {"script": script, "stall_ms": rng.uniform(2000, 8000)}
            what = f"body faults {','.join(script)}"
        started = datetime.now(UTC)
        await self.agency_call("POST", "/_emulator/faults", json={"operation": operation, **body})
        await asyncio.sleep(seconds)
        hits = await self.burst_hits(kind, operation, body, started)
        extra = 0.0
        while hits == 0 and extra < BURST_EXTRA_S:
            await asyncio.sleep(5.0)
            extra += 5.0
            hits = await self.burst_hits(kind, operation, body, started)
            if hits == 0 and extra == RETARGET_AFTER_S and operation != "*":
                # Nobody calls that operation any more (e.g. reports once the backfills are done).
                await self.agency_call("DELETE", "/_emulator/faults", params={"operation": operation})
                operation, what = "*", f"{what} (moved from {operation}, not called)"
                await self.agency_call("POST", "/_emulator/faults", json={"operation": operation, **body})
        await self.agency_call("DELETE", "/_emulator/faults", params={"operation": operation})
        ended = datetime.now(UTC)
        hits = await self.burst_hits(kind, operation, body, started)
        event = Event(
            at,
            f"burst_{kind}",
            f"{what} on {operation} for {seconds + extra:.0f} s: {hits} calls hit",
            landed=hits > 0,
        )
        event.ended = ended
        self.events.append(event)
        self.say(f"burst: {event.detail}")
        self.probes.append(asyncio.create_task(self.probe_progress(event)))

    async def burst_hits(self, kind: str, operation: str, body: dict[str, Any], start: datetime) -> int:
        """Calls of the burst's operation since it started that the emulator's log shows it spoilt."""
        answer = await self.agency_call("GET", "/_emulator/requests", params={"limit": 5000})
        if answer is None or answer.status_code != 200:
            return 0
        hits = 0
        for entry in answer.json():
            when = datetime.fromisoformat(entry["time"])
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            if when < start or operation not in ("*", entry.get("operation")):
                continue
            if kind == "throttle":
                hit = entry["status"] == 429
            elif kind == "5xx":
                hit = entry["status"] in body["statuses"]
            elif kind == "latency":
                hit = entry.get("duration_ms", 0) >= body["latency_ms"] * 0.9
            else:
                hit = (entry.get("note") or "").startswith("fault: ")
            hits += hit
        return hits

    # -- activity and onboarding -----------------------------------------------------------------

    async def onboard(self, n: int) -> None:
        assert self.agency is not None
        rng = self.onboard_rng
        seller = f"ACHAOS{n:02d}{rng.randrange(16**6):06X}"
        marketplaces = rng.choice([[US], [US, CA]])
        orders = rng.randint(200, 700)
        await self.agency.create_seller(seller, orders, marketplaces, rng.randrange(10**6))
        tenant_id: str | None = None
        last = ""
        for attempt in range(1, 9):
            try:
                tenant_id, connection_id = await self.agency.connect(seller, marketplaces, tenant_id)
            except Exception as exc:  # PostgreSQL or Redis may be down: try again
                last = f"{type(exc).__name__}: {str(exc)[:160]}"
                self.say(f"onboarding {seller}, attempt {attempt} failed ({last}): trying again in 5 s")
                await asyncio.sleep(5.0)
                continue
            self.onboarded.append(Onboarded(seller, tenant_id, connection_id, marketplaces, orders, attempt))
            self.say(
                f"onboarded {seller} ({orders} orders, {len(marketplaces)} marketplaces), attempt {attempt}"
            )
            return
        self.onboarding_failures.append(f"{seller}: {last}")
        self.say(f"onboarding of {seller} FAILED: {last}")

    async def run_activity(self, until: float) -> None:
        while self.t() < until:
            rng = self.activity_rng
            await asyncio.sleep(rng.uniform(1.5, 4.0))
            if not self.onboarded:
                continue
            seller = rng.choice(self.onboarded).seller_id
            body = {"new_orders": rng.randint(0, 3), "updates": rng.randint(0, 4)}
            answer = await self.agency_call("POST", f"/_emulator/sellers/{seller}/activity", json=body)
            if answer is not None and answer.status_code == 200:
                self.activity["posts"] += 1
                self.activity["new orders"] += len(answer.json()["created"])
                self.activity["status changes"] += len(answer.json()["updated"])
            else:
                self.activity["failed posts"] += 1

    async def supervise(self, until: float) -> None:
        while self.t() < until:
            for exit_ in self.product.restart_exited(self.t0):
                self.say(f"{exit_.role} exited by itself (code {exit_.code}): restarted")
            await asyncio.sleep(1.0)

    async def at(self, when: float) -> None:
        await asyncio.sleep(max(0.0, when - self.t()))

    # -- the run ---------------------------------------------------------------------------------

    async def run(self) -> tuple[bool, list[str]]:
        from sqlalchemy.ext.asyncio import create_async_engine

        from app.settings import get_settings

        faults, bursts, onboard_at = self.schedule()
        self.say(
            f"seed {self.seed}, {self.minutes:g} min of faults, emulator clock x{self.scale:g}; "
            f"{len(faults)} process faults, {len(bursts)} bursts, {2 + len(onboard_at)} sellers;"
            f" logs: {self.base}"
        )
        await asyncio.to_thread(self.product.start)
        self.engine = create_async_engine(get_settings().db.sqlalchemy_url, pool_pre_ping=True, pool_size=3)
        self.agency = Agency(self.product.api_url, self.product.emulator_url)
        await self.agency.sign_up()
        for n in range(2):
            await self.onboard(n)
        self.t0 = time.monotonic()
        self.say("product up, 2 sellers onboarded: faults start")

        async def fault_loop() -> None:
            for when, kind in faults:
                await self.at(when)
                await self.process_fault(kind)

        async def burst_loop() -> None:
            for when, kind in bursts:
                await self.at(when)
                await self.burst(kind)

        async def onboard_loop() -> None:
            for n, when in enumerate(onboard_at, start=2):
                await self.at(when)
                await self.onboard(n)

        self.supervisor = asyncio.create_task(self.supervise(self.duration + self.settle_minutes * 60 + 600))
        await asyncio.gather(fault_loop(), burst_loop(), onboard_loop(), self.run_activity(self.duration))
        self.say("faults off: emulator faults cleared, activity stopped; settling")
        await self.agency_call("DELETE", "/_emulator/faults")
        for role in list(self.product.down):
            self.product.spawn(role)
        faults_off_at = datetime.now(UTC)
        deadline = time.monotonic() + self.settle_minutes * 60
        checks = await settled_checks(
            self.engine,
            self.product.emulator_url,
            self.agency,
            self.onboarded,
            self.revoked,
            faults_off_at,
            deadline,
            self.stuck_minutes,
            note=f"CHAOS_SEED={self.seed}",
        )
        settled = time.monotonic() - (deadline - self.settle_minutes * 60)
        self.supervisor.cancel()
        for probe in self.probes:
            probe.cancel()
        checks += self.run_checks()
        jobs = await job_summary(self.engine)
        interrupted = await self.interrupted_outcomes()
        report = self.report(checks, jobs, interrupted, settled)
        return all(c.ok for c in checks), report

    def run_checks(self) -> list[Check]:
        kinds = Counter(e.kind for e in self.events)
        landed = {e.kind for e in self.events if e.landed}
        expected = {*PROCESS_FAULTS, "revoke", *(f"burst_{b}" for b in BURSTS)}
        missed = [e for e in self.events if not e.landed]
        return [
            Check(
                "every planned onboarding completed (through the API and the consent page)",
                not self.onboarding_failures,
                f"{len(self.onboarded)} onboarded"
                + "".join(f"; FAILED {f}" for f in self.onboarding_failures),
            ),
            Check(
                "every kind of fault landed at least once (a kill found its process running, a burst was"
                " answered to some call, the revocation was accepted)",
                expected <= landed,
                ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
                + (f"; kinds never landed: {sorted(expected - landed)}" if expected - landed else "")
                + "".join(f"; missed: {e.kind} at +{e.at:.0f}s ({e.detail})" for e in missed),
            ),
            Check(
                "every product process running at the end",
                self.product.all_running(),
                "API, 2 workers, scheduler, consumer",
            ),
        ]

    async def interrupted_outcomes(self) -> Counter[str]:
        """What became of the job rows that were running when a process or server was hurt (the ones
        still running are named)."""
        ids = sorted({j for e in self.events for j in e.job_ids})
        found = await self.query(
            "SELECT status, id::text, kind, connection_id::text FROM jobs WHERE id::text = ANY(:ids)", ids=ids
        )
        outcomes = Counter(r[0] for r in found or [])
        for status, job_id, kind, connection_id in found or []:
            if status == "running":
                revoked = " (revoked)" if connection_id in self.revoked else ""
                outcomes[
                    f"[still running: {kind} job {job_id[:8]}, connection {connection_id[:8]}{revoked}]"
                ] += 1
        return outcomes

    def report(
        self, checks: list[Check], jobs: list[str], interrupted: Counter[str], settled: float
    ) -> list[str]:
        kinds = Counter(e.kind for e in self.events)
        lines = [
            f"Chaos soak: seed {self.seed} (replay: CHAOS_SEED={self.seed}"
            f" CHAOS_MINUTES={self.minutes:g} make chaos), {self.minutes:g} min of faults,"
            f" emulator clock x{self.scale:g}",
            "  product: API, 2 workers (4 threads each), scheduler, notifications consumer (SQS: moto); "
            "PostgreSQL and Redis embedded",
            f"  sellers: {len(self.onboarded)} onboarded through the API"
            f" ({sum(o.orders for o in self.onboarded):,} orders generated;"
            f" {sum(o.attempts - 1 for o in self.onboarded)} onboarding attempts retried); "
            f"activity: {self.activity['posts']} posts, {self.activity['new orders']} new orders, "
            f"{self.activity['status changes']} status changes",
            f"  faults injected ({len(self.events)}): "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
        ]
        for e in sorted(self.events, key=lambda e: e.at):
            after = (
                f"recovered {e.recovered_s:.1f} s after"
                if e.recovered_s is not None
                else f"NO recovery seen within {PROBE_S:.0f} s"
            )
            if e.kind == "revoke":
                after = (
                    f"needs_reauth {e.recovered_s:.1f} s after"
                    if e.recovered_s is not None
                    else "never needs_reauth"
                )
            lines.append(f"    +{e.at:6.1f}s {e.kind:<16} {e.detail}; {after}")
        recoveries = [e.recovered_s for e in self.events if e.recovered_s is not None and e.kind != "revoke"]
        lines.append(
            f"  recoveries seen: {len(recoveries)} of"
            f" {sum(1 for e in self.events if e.kind != 'revoke')} faults followed by a finished job"
            f" (median {statistics.median(recoveries) if recoveries else 0:.1f} s, "
            f"max {max(recoveries, default=0):.1f} s); job rows running when hurt, now: "
            + (", ".join(f"{s} {n}" for s, n in sorted(interrupted.items())) or "none")
        )
        lines.append(
            f"  processes that exited by themselves (restarted): {len(self.product.exits)}"
            + "".join(f"; {x.role} at +{x.at:.0f}s code {x.code}" for x in self.product.exits[:10])
        )
        retried = Counter(r.split(": ", 1)[1] for r in self.agency.retried) if self.agency else Counter()
        lines.append(
            f"  API reads asked again (5xx or no answer): {sum(retried.values())}"
            + "".join(f"; {why} x{n}" for why, n in sorted(retried.items()))
        )
        lines.append(f"  settled in {settled:.0f} s; the run log: " + "; ".join(jobs))
        lines.append("  checks:")
        for c in checks:
            lines.append(f"    [{'PASS' if c.ok else 'FAIL'}] {c.name}: {c.detail}")
        lines.append(f"RESULT: {'PASS' if all(c.ok for c in checks) else 'FAIL'} (seed {self.seed})")
        return lines

    async def close(self) -> None:
        self.product.stopping = True  # nothing is restarted any more, whatever is still running
        if self.supervisor is not None:
            self.supervisor.cancel()
        for probe in self.probes:
            probe.cancel()
        if self.agency is not None:
            await self.agency.close()
        if self.engine is not None:
            await self.engine.dispose()


def _terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # the finally below stops every process group


async def main() -> int:
    soak = Soak()
    limit = soak.duration + soak.settle_minutes * 60 + 900  # the whole run is bounded, whatever happens
    try:
        ok, report = await asyncio.wait_for(soak.run(), timeout=limit)
    except Exception:
        traceback.print_exc()
        print(f"RESULT: ERROR, the soak itself broke (seed {soak.seed}; logs: {soak.base})", flush=True)
        return 2
    finally:
        await soak.close()
        await asyncio.to_thread(soak.product.stop)
    print("\n".join(report), flush=True)
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    write_results("chaos", f"## Chaos soak ({when}, `make chaos`)\n\n```\n" + "\n".join(report) + "\n```")
    for data in ("pg", "redis", "documents"):
        shutil.rmtree(soak.base / data, ignore_errors=True)
    print(f"logs: {soak.base}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(asyncio.run(main()))
