"""`spapi-saas dev`: the whole product on one machine, with nothing installed but Python and Node.

It starts a real PostgreSQL and a real Redis from wheels (data under ./.local/, kept between runs)
unless DATABASE_URL / REDIS_URL name other servers, generates local secrets once, migrates, and
runs the API, a worker, the scheduler and the Amazon emulator as child processes; with the
emulator, also a local SQS (moto) and the notifications consumer. Unless SMTP_URL names a mail
server, a local mail catcher takes the product's e-mail and prints each message's links here. Ctrl-C stops the
children first (so nothing writes while the databases go down), then the embedded servers.

Every process writes its lines in one format (`LOG_FORMAT`: coloured console lines by default here,
JSON when asked), each naming its process: `dev` for this one, and the emulator, a separate program,
is handed the same format as a logging configuration file (`app.kit.logging.dict_config`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from app.kit.logging import configure_logging, dict_config, wants_colour
from app.settings import get_settings, reset_settings_cache

if TYPE_CHECKING:
    from app.mail.catcher import CaughtMail, MailCatcher

# The application the emulator registers in --demo mode (see emulator/README.md).
DEMO_APP = {
    "LWA_CLIENT_ID": "amzn1.application-oa2-client.emulatordemo",
    "LWA_CLIENT_SECRET": "emulator-demo-client-secret",
    "SPAPI_APPLICATION_ID": "amzn1.sp.solution.emulator-demo",
    "ADS_CLIENT_ID": "amzn1.application-oa2-client.emulatordemo",
    "ADS_CLIENT_SECRET": "emulator-demo-client-secret",
}
STOP_GRACE_S = 10.0


def _say(message: str) -> None:
    structlog.get_logger("app.devserver").info(message)


def ensure_local_secrets(local: Path) -> None:
    """Generate ENCRYPTION_KEY and SESSION_SECRET once, keep them in .local/secrets.env."""
    from cryptography.fernet import Fernet

    path = local / "secrets.env"
    if not path.exists():
        local.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"ENCRYPTION_KEY={Fernet.generate_key().decode()}\nSESSION_SECRET={secrets.token_urlsafe(48)}\n"
        )
        path.chmod(0o600)
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        if key and value:
            os.environ.setdefault(key.strip(), value.strip())


def emulator_environment(base: str) -> dict[str, str]:
    """Every Amazon URL pointed at the emulator: the only difference between demo and production."""
    env = {
        "LWA_TOKEN_URL": f"{base}/auth/o2/token",
        "SELLER_CENTRAL_URL_OVERRIDE": base,
        "AMAZON_EMULATOR_URL": base,
        **DEMO_APP,
    }
    for region in ("NA", "EU", "FE"):
        env[f"SPAPI_BASE_{region}"] = base
        env[f"ADS_API_BASE_{region}"] = base
        env[f"ADS_TOKEN_URL_{region}"] = f"{base}/auth/o2/token"
        env[f"ADS_CONSENT_URL_{region}"] = f"{base}/ap/oa"
    return env


class Children:
    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], *, log: Path | None = None) -> None:
        """`log`: write the child's output there instead of this terminal."""
        output = log.open("ab") if log else None
        # Own session: the terminal's Ctrl-C reaches only us, and we stop children in order.
        self.procs[name] = subprocess.Popen(
            args, start_new_session=True, stdout=output, stderr=subprocess.STDOUT if output else None
        )
        if output:
            output.close()  # the child holds its own copy

    def first_exited(self) -> tuple[str, int] | None:
        for name, proc in self.procs.items():
            code = proc.poll()
            if code is not None:
                return name, code
        return None

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                # The leader only: Dramatiq's main process forwards SIGTERM to its forked workers,
                # and a worker that gets a second one from the group takes it as "kill now" and
                # leaves the main process waiting.
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _say(f"{name} did not stop in {STOP_GRACE_S:.0f}s; killing it")
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
            else:
                # Dramatiq's forked workers live in the same group: make sure none is left.
                _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _console_script(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def start_local_sqs(children: Children, local: Path) -> dict[str, str] | None:
    """A local SQS (moto in server mode, a development dependency) with the notifications queue, so
    the emulator's ORDER_CHANGE notifications reach `spapi-saas notifications` as Amazon's would.
    Returns the environment that points every process at it; None when moto is not installed."""
    from app.kit.embedded import free_port
    from app.kit.local_sqs import create_queue_when_up, local_sqs_env

    server = Path(_console_script("moto_server"))
    if not server.is_file():
        _say("notifications: moto is not installed (pip install -e 'api[dev]'); deltas only")
        return None
    port = free_port()
    # Its access log (a line per long poll) goes to a file, not the terminal.
    children.start("sqs", [str(server), "-H", "127.0.0.1", "-p", str(port)], log=local / "sqs.log")
    env = local_sqs_env(port)
    queue = create_queue_when_up(env, "spapi-notifications", within_s=20)
    env["NOTIFICATIONS_SQS_QUEUE_URL"] = queue
    _say(f"SQS (moto, local)     {env['AWS_ENDPOINT_URL']}  queue: {queue}")
    return env


def forget_emulator_subscriptions() -> None:
    """The emulator keeps notification destinations and subscriptions in memory: after it restarts,
    the ones recorded here name nothing. Forgetting them lets the notifications consumer subscribe
    every connected seller again when it starts."""
    import asyncio

    from app.db.session import create_engine, create_sessionmaker, unit_of_work
    from app.notifications.repository import NotificationRepository

    async def forget() -> None:
        engine = create_engine(get_settings(), pool_size=1)
        try:
            async with unit_of_work(create_sessionmaker(engine)) as session:
                await NotificationRepository(session).forget_all()
        finally:
            await engine.dispose()

    asyncio.run(forget())


def _print_mail(mail: CaughtMail) -> None:
    """A received message in the terminal: whom, what, and its links (to click in development)."""
    _say(f"mail to {', '.join(mail.to)}: {mail.subject}")
    for link in mail.links:
        _say(f"  link {link}")


def start_mail_catcher() -> MailCatcher:
    from app.mail.catcher import MailCatcher

    catcher = MailCatcher(on_mail=_print_mail).start()
    os.environ["SMTP_URL"] = catcher.url
    _say(f"mail catcher          {catcher.url}  (messages and their links are printed here)")
    return catcher


def emulator_log_config(local: Path) -> Path:
    """The product's log format for the emulator's `--log-config` (a dictConfig JSON file)."""
    runtime = get_settings().runtime
    config = dict_config(
        runtime.log_level,
        runtime.log_format,
        "emulator",
        colors=wants_colour(runtime.log_format, sys.stderr),
    )
    path = local / "emulator-logging.json"
    path.write_text(json.dumps(config, indent=2))
    return path


def run_dev(*, with_emulator: bool, emulator_port: int, time_scale: float) -> int:
    from app.kit.embedded import EmbeddedPostgres, EmbeddedRedis

    os.environ.setdefault("ENVIRONMENT", "development")
    settings = get_settings()
    configure_logging(settings.runtime.log_level, settings.runtime.log_format, process="dev")
    local = settings.runtime.local_data_dir.resolve()
    ensure_local_secrets(local)
    postgres: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    mail_catcher: MailCatcher | None = None
    children = Children()
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        if not settings.db.database_url:
            postgres = EmbeddedPostgres(local / "postgres").start()
            os.environ["DATABASE_URL"] = postgres.url
            _say(f"PostgreSQL (embedded) {postgres.url}  data: {postgres.pgdata}")
        if not settings.redis.redis_url:
            redis = EmbeddedRedis(local / "redis").start()
            os.environ["REDIS_URL"] = redis.url
            _say(f"Redis (embedded)      {redis.url}  data: {redis.data_dir}")
        if not settings.mail.smtp_url:
            mail_catcher = start_mail_catcher()
        emulator_url = f"http://127.0.0.1:{emulator_port}"
        if with_emulator:
            os.environ.update(emulator_environment(emulator_url))
            if not settings.notifications.notifications_sqs_queue_url:
                os.environ.update(start_local_sqs(children, local) or {})
        reset_settings_cache()
        settings = get_settings()

        from app import migrate

        migrate.upgrade(settings.db.sqlalchemy_url)
        _say("database migrated")
        if with_emulator:
            forget_emulator_subscriptions()

        if with_emulator:
            children.start(
                "emulator",
                [
                    _console_script("amazon-emulator"),
                    "--demo",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(emulator_port),
                    "--time-scale",
                    str(time_scale),
                    # Connections stored in ./.local keep working after a restart, as with Amazon.
                    "--grants-file",
                    str(local / "emulator-grants.json"),
                    "--log-level",
                    settings.runtime.log_level.lower(),
                    "--log-config",
                    str(emulator_log_config(local)),
                ],
            )
        spapi = _console_script("spapi-saas")
        children.start("api", [spapi, "api", "--workers", "1"])
        children.start("worker", [spapi, "worker"])
        children.start("scheduler", [spapi, "scheduler"])
        if settings.notifications.notifications_sqs_queue_url:
            children.start("notifications", [spapi, "notifications"])
        url = f"http://{settings.runtime.api_host}:{settings.runtime.api_port}"
        _say(f"panel    {url}/")
        _say(f"API docs {url}/docs")
        _say(f"ready    {url}/ready")
        if with_emulator:
            _say(f"Amazon emulator {emulator_url}  (demo app and seller; no Amazon account needed)")
        else:
            _say(f"Amazon: {settings.spapi.base_url(settings.spapi.spapi_region)}")
        _say("Ctrl-C stops everything")
        while not stopping:
            exited = children.first_exited()
            if exited:
                name, code = exited
                _say(f"{name} exited with code {code}; stopping everything")
                return 1
            time.sleep(0.3)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _say("stopping")
        children.stop_all()
        if mail_catcher:
            mail_catcher.stop()
        if redis:
            redis.stop()
        if postgres:
            postgres.stop()
        _say("stopped")
