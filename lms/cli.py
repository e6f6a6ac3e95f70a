"""`flask lms ...` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from lms.auth import services as auth_services
from lms.auth.models import Role
from lms.auth.passwords import password_problem
from lms.errors import DomainError
from lms.extensions import db

lms_cli = AppGroup("lms", help="Platform administration commands.")


@lms_cli.command("create-user")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    default=["learner"],
    show_default=True,
    help="Repeat for several roles.",
)
@click.option("--name", "legal_name", default=None, help="Legal name (asked if missing).")
@click.password_option(help="Asked for when not given.")
def create_user(email: str, roles: tuple[str, ...], legal_name: str | None, password: str) -> None:
    """Create a verified account with the given roles."""
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    if legal_name is None:
        legal_name = click.prompt("Legal name")
    try:
        user = auth_services.create_user(
            email=email,
            legal_name=legal_name,
            password=password,
            roles={Role(role) for role in roles},
            verified=True,
        )
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(r.value for r in user.roles))}")


@lms_cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo catalog and accounts (idempotent: a second run changes nothing)."""
    from lms.demo.seed import seed_demo as run_seed

    report = run_seed()
    db.session.commit()
    click.echo(report.summary())


@lms_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
def export_command(path: str) -> None:
    """Write a consistent archive of every record (JSON lines per table + manifest)."""
    from lms.backup.services import export_archive

    reports = export_archive(path)
    total = sum(report.rows for report in reports)
    click.echo(f"Exported {total} rows from {len(reports)} tables to {path}")


@lms_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Restore an archive made by `flask lms export` into an empty, migrated database."""
    from lms.backup.services import import_archive

    try:
        reports = import_archive(path)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    total = sum(report.rows for report in reports)
    click.echo(f"Imported {total} rows into {len(reports)} tables from {path}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(lms_cli)
