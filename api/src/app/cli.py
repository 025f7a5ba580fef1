"""`spapi-saas`: every process of the product, and `dev`, which runs them all on one machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.settings import Settings, get_settings, reset_settings_cache

cli = typer.Typer(
    name="spapi-saas",
    help="Multi-tenant Amazon SP-API and Ads data platform.",
    no_args_is_help=True,
    add_completion=False,
)


@cli.command()
def dev(
    no_emulator: Annotated[
        bool, typer.Option("--no-emulator", help="Talk to the Amazon URLs of the environment instead.")
    ] = False,
    emulator_port: Annotated[int, typer.Option(help="Port of the local Amazon emulator.")] = 8100,
    time_scale: Annotated[
        float, typer.Option(help="Emulator clock speed-up (1 = real time): it then acts as a faster Amazon.")
    ] = 1.0,
) -> None:
    """Run everything locally: PostgreSQL, Redis, migrations, API, worker, scheduler, emulator."""
    from app.devserver import run_dev

    raise typer.Exit(
        run_dev(with_emulator=not no_emulator, emulator_port=emulator_port, time_scale=time_scale)
    )


@cli.command()
def api(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (API_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (API_PORT).")] = None,
    workers: Annotated[int | None, typer.Option(help="Uvicorn worker processes (API_WORKERS).")] = None,
) -> None:
    """Serve the HTTP API and the panel."""
    from app.kit.logging import configure_logging
    from app.kit.serve import serve

    settings = get_settings()
    configure_logging(settings.runtime.log_level, settings.runtime.log_format, process="api")
    options = {
        "app": "app.main:create_app",
        "factory": True,
        "host": host or settings.runtime.api_host,
        "port": port or settings.runtime.api_port,
        "log_config": None,
        # Our middleware writes the access line (with the request id); uvicorn's would repeat it.
        "access_log": False,
        # The app resolves X-Forwarded-For itself, trusting FORWARDED_ALLOW_IPS only (`main.py`):
        # uvicorn doing it too would apply the proxy's headers twice.
        "proxy_headers": False,
        "timeout_graceful_shutdown": 10,
    }
    raise typer.Exit(serve(options, workers=workers or settings.runtime.api_workers))


@cli.command()
def worker(
    processes: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    threads: Annotated[int | None, typer.Option(help="Threads per process (SYNC_MAX_WORKERS).")] = None,
) -> None:
    """Run background jobs (Dramatiq) from the Redis queues."""
    from dramatiq.cli import main as dramatiq_main
    from dramatiq.cli import make_argument_parser

    from app.kit.logging import configure_logging

    settings = get_settings()
    # Dramatiq's command, in this process: its main process logs in the product's format (its
    # `basicConfig` would write plain text), and the worker processes it forks inherit that until
    # `app.worker_entry` configures them again (their stderr is then Dramatiq's log pipe).
    configure_logging(settings.runtime.log_level, settings.runtime.log_format, process="worker")
    if settings.runtime.process_metrics_port:
        # Every process the main one forks writes its series to one folder; the main one serves them.
        from app.kit.process_metrics import use_multiprocess_dir

        use_multiprocess_dir()
        _serve_metrics(settings)
    args = [
        "app.worker_entry",
        "--skip-logging",
        "--processes",
        str(processes),
        "--threads",
        str(threads or settings.sync.sync_max_workers),
        "--queues",
        "high",
        "default",
        "bulk",
    ]
    raise typer.Exit(dramatiq_main(make_argument_parser().parse_args(args)))  # type: ignore[no-untyped-call]


@cli.command()
def scheduler(
    tick_seconds: Annotated[float, typer.Option(help="Seconds between ticks.")] = 60.0,
) -> None:
    """Run the scheduler: a single leader enqueues due work every tick."""
    import asyncio

    import app.tasks  # noqa: F401  (the actor registry: tick handlers and the actors they send)
    from app.kit.logging import configure_logging
    from app.worker.scheduler import run_scheduler

    settings = get_settings()
    configure_logging(settings.runtime.log_level, settings.runtime.log_format, process="scheduler")
    _serve_metrics(settings)
    asyncio.run(run_scheduler(tick_seconds))


@cli.command()
def notifications() -> None:
    """Consume the SP-API notifications queue (NOTIFICATIONS_SQS_QUEUE_URL): order changes are
    refreshed at once, a rotated client secret is stored."""
    import asyncio

    import app.tasks  # noqa: F401  (the actor registry: the refreshes it sends)
    from app.kit.logging import configure_logging
    from app.notifications.consumer import run_consumer

    settings = get_settings()
    configure_logging(settings.runtime.log_level, settings.runtime.log_format, process="notifications")
    _serve_metrics(settings)
    asyncio.run(run_consumer(settings))


def _serve_metrics(settings: Settings) -> None:
    """This process's /metrics on PROCESS_METRICS_PORT, when set."""
    from app.kit.process_metrics import serve_process_metrics

    token = settings.runtime.metrics_token if settings.is_production else None
    serve_process_metrics(settings.runtime.process_metrics_port, token=token)


@cli.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
    down: Annotated[bool, typer.Option("--down", help="Downgrade to REVISION instead.")] = False,
) -> None:
    """Apply (or revert) the database migrations."""
    from app import migrate as migrations

    url = get_settings().db.sqlalchemy_url
    if down:
        migrations.downgrade(url, revision)
    else:
        migrations.upgrade(url, revision)
    typer.echo(f"database at {'downgraded to' if down else 'upgraded to'} {revision}")


@cli.command("create-user")
def create_user(
    email: Annotated[str, typer.Argument(help="The user's e-mail.")],
    password: Annotated[
        str,
        typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters."),
    ],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    tenant: Annotated[str | None, typer.Option(help="Also create this tenant, owned by the user.")] = None,
) -> None:
    """Create a user who can sign in to the panel (and optionally their first tenant)."""
    import asyncio

    from app.tenants.commands import create_user_command

    try:
        user_id = asyncio.run(create_user_command(email, password, name, tenant))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"created user {email} ({user_id})")


@cli.command("rotate-encryption-key")
def rotate_encryption_key() -> None:
    """Re-wrap every tenant's data key, and re-encrypt the refresh tokens still under the master key,
    the client secrets and the TOTP secrets, with the first ENCRYPTION_KEY.

    Put the new key first (ENCRYPTION_KEY=new,old), run this, then remove the old key.
    """
    import asyncio

    from app.tokens.commands import rotate_encryption_key_command

    done = asyncio.run(rotate_encryption_key_command())
    typer.echo(
        f"re-encrypted {done.refresh_tokens} refresh tokens, {done.app_secrets} client secrets"
        f" and {done.totp_secrets} TOTP secrets; re-wrapped {done.tenant_keys} tenant data keys"
    )


@cli.command("rotate-client-secret")
def rotate_client_secret() -> None:
    """Ask Amazon for a new LWA client secret (it arrives by notification and is used at once)."""
    import asyncio

    from app.tokens.commands import rotate_client_secret_command

    request_id = asyncio.run(rotate_client_secret_command())
    typer.echo(f"rotation requested (x-amzn-RequestId {request_id}); the new secret arrives by notification")


@cli.command()
def openapi(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the API's OpenAPI document (the panel's typed client is generated from it)."""
    from app.main import create_app

    document = json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"
    if out:
        out.write_text(document)
    else:
        sys.stdout.write(document)


def main() -> None:
    reset_settings_cache()
    cli()


if __name__ == "__main__":
    main()
