"""The `koepel` command. Every command reads DATABASE_URL / REDIS_URL from the environment."""

from __future__ import annotations

import sys

import click

from koepel.platform.config import ConfigError


def _app():
    from koepel.platform.app import create_app

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def main() -> None:
    """Koepel: the platform of social cooperatives, employer cooperatives and municipalities."""


@main.group()
def db() -> None:
    """Database roles and migrations."""


@db.command("init")
def db_init() -> None:
    """Create the database and its owner, app and umbrella roles (safe to repeat)."""
    from koepel.platform.config import Settings
    from koepel.platform.db.roles import init_database

    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if not settings.database_url:
        raise click.ClickException("koepel db init needs DATABASE_URL: an administrator's connection")
    for line in init_database(settings.database_url, _role_passwords(settings)):
        click.echo(line)


def _role_passwords(settings) -> dict:
    from sqlalchemy.engine import make_url

    from koepel.platform.config import APP_ROLE, UMBRELLA_ROLE

    return {
        APP_ROLE: make_url(settings.app_database_url).password,
        UMBRELLA_ROLE: make_url(settings.umbrella_database_url).password,
    }


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations, as the owner role."""
    import flask_migrate

    with _app().app_context():
        try:
            flask_migrate.upgrade(revision=revision)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION (`base` undoes all)."""
    import flask_migrate

    with _app().app_context():
        flask_migrate.downgrade(revision=revision)


@main.command("create-umbrella-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_umbrella_admin(email: str, name: str, password: str) -> None:
    """Create a person with the umbrella_admin role (and the umbrella tenant if missing)."""
    from sqlalchemy import select

    from koepel.platform.auth.models import User
    from koepel.platform.auth.operations import AccountError, do_create_user
    from koepel.platform.db import db as database
    from koepel.platform.tenancy import Tenant
    from koepel.platform.tenancy.operations import do_add_membership, do_create_tenant

    with _app().app_context():
        umbrella = database.session.scalar(select(Tenant).where(Tenant.kind == "umbrella"))
        if umbrella is None:
            umbrella = do_create_tenant(kind="umbrella", slug="koepel", name="Koepel", status="active")
        try:
            # Verified: the operator types the address; two-factor is set up at first sign-in.
            user = User.by_email(email) or do_create_user(
                email=email, name=name, password=password, verified=True
            )
        except AccountError as exc:
            raise click.ClickException(str(exc)) from exc
        do_add_membership(umbrella, user.id, "umbrella_admin")
        database.session.commit()
        click.echo(f"{email} is umbrella_admin of {umbrella.name}")


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo federation into an empty database."""
    from koepel.platform.cli.demo import is_seeded, seed_demo
    from koepel.platform.db import db as database

    with _app().app_context():
        if is_seeded():
            click.echo("The database already has tenants; demo data not loaded.")
            return
        seed_demo()
        database.session.commit()
        click.echo("Demo federation loaded.")


@main.command("reference-load")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV with cbs_code,name,inhabitants,urbanity (default: the shipped 2024 file).")
@click.option("--year", type=click.IntRange(1900, 2100), default=None, help="Reference year (default 2024).")
def reference_load(path: str | None, year: int | None) -> None:
    """Load or update the municipality reference data; a faulty file changes nothing."""
    from pathlib import Path

    from koepel.platform.reference import ReferenceDataError, do_load_reference
    from koepel.platform.reference.data import SHIPPED_YEAR, shipped_text

    try:
        csv_text = Path(path).read_bytes().decode("utf-8") if path else shipped_text()
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path} is not UTF-8 text") from exc
    url = _app().config["DATABASE_URL"]
    if not url:
        raise click.ClickException("koepel reference-load needs DATABASE_URL: the owner's connection")
    try:
        result = do_load_reference(url, csv_text, year or SHIPPED_YEAR)
    except ReferenceDataError as exc:
        raise click.ClickException("the file was not loaded:\n" + "\n".join(exc.errors)) from exc
    click.echo(f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
               f"{result.not_in_file} in the table but not in the file (kept)")


@main.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an rq worker for the platform's queue."""
    from rq import Worker

    from koepel.platform.jobs import queue

    app = _app()
    with app.app_context():
        q = queue()
        # The scheduler starts jobs enqueued for later (the nightly outcome figures).
        Worker([q], connection=q.connection).work(burst=burst, with_scheduler=not burst)


@main.command("aggregate-outcomes")
@click.option("--schedule", is_flag=True, help="Also schedule the nightly run (needs a worker with its scheduler).")
def aggregate_outcomes(schedule: bool) -> None:
    """Recompute the outcome figures of every provider now (for cron: nightly)."""
    from koepel.services.outcomes import run_aggregation, schedule_nightly

    with _app().app_context():
        result = run_aggregation(lambda done, total, message: click.echo(f"{done}/{total}", err=True))
        click.echo(f"{result.providers} providers, {result.rows} figures, computed at {result.computed_at.isoformat()}")
        if schedule:
            click.echo(f"next nightly run: {schedule_nightly()}")


@main.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, envvar="PORT")
def dev(host: str, port: int) -> None:
    """Start everything: embedded services when none are configured, web and worker."""
    from .dev import run_platform

    sys.exit(run_platform(host, port))


if __name__ == "__main__":
    main()
