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


@lms_cli.command("cleanup-uploads")
@click.option(
    "--older-than-hours",
    type=click.FloatRange(min=0),
    default=24,
    show_default=True,
    help="Abort uploads started longer ago than this; delete videos superseded as long ago.",
)
def cleanup_uploads(older_than_hours: float) -> None:
    """Abort abandoned multipart video uploads and delete superseded videos."""
    from datetime import timedelta

    from lms.video.uploads import cleanup

    report = cleanup(timedelta(hours=older_than_hours))
    db.session.commit()
    for line in report.lines():
        click.echo(line)


@lms_cli.command("make-signing-cert")
@click.option("--force", is_flag=True, help="Replace an existing demo key and certificate.")
def make_signing_cert(force: bool) -> None:
    """Generate the self-signed demo key and certificate that sign certificate PDFs."""
    import shutil

    from flask import current_app

    from lms.certificates import signing

    if current_app.config.get("CERT_SIGNING_KEY_PATH"):
        raise click.ClickException("CERT_SIGNING_KEY_PATH is set: the configured key is used.")
    folder = signing.demo_directory()
    if folder.exists() and force:
        shutil.rmtree(folder)
    if (folder / "cert.pem").exists():
        click.echo(f"A signing certificate already exists in {folder} (use --force to replace).")
        return
    signing.generate_self_signed(
        folder,
        common_name=f"{current_app.config['PROVIDER_NAME']} certificate signing (demo)",
        organisation=current_app.config["PROVIDER_NAME"],
    )
    click.echo(f"Wrote {folder / 'key.pem'} and {folder / 'cert.pem'}.")


@lms_cli.command("run-jobs")
def run_jobs() -> None:
    """Run every queued background job (e.g. bulk certificate issuance), then exit."""
    from lms import jobs

    click.echo(f"Ran {jobs.run_queued()} job(s).")


@lms_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then exit.")
def worker(burst: bool) -> None:
    """Run background jobs from Redis (JOB_RUNNER=rq) until stopped (Ctrl-C, SIGTERM)."""
    from flask import current_app

    if current_app.config.get("JOB_RUNNER") != "rq":
        raise click.ClickException(
            "Set JOB_RUNNER=rq and REDIS_URL, the same as on the app servers, to run a worker."
        )
    from lms import jobs_rq

    runner = jobs_rq.make_worker(current_app._get_current_object())
    requeued = jobs_rq.requeue_unstarted(runner.queues[0], current_app.config)
    if requeued:
        click.echo(f"Queued {requeued} job(s) again that no worker had started.")
    # The scheduler (one per queue, whichever worker holds its lock) delivers the retries.
    runner.work(burst=burst, with_scheduler=True, logging_level="INFO")


def register_cli(app: Flask) -> None:
    app.cli.add_command(lms_cli)
