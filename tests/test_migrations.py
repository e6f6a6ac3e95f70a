"""The migrations stay safe: they build the models' schema, and every downgrade undoes its
upgrade exactly, down to an empty database, from which the upgrade runs again.

Schemas are compared as pg_dump prints them, so nothing escapes the comparison: columns,
defaults, CHECK and unique constraints, partial and expression indexes, enum types,
sequences, functions.
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import create_engine, text

from lms.extensions import db
from tests.conftest import make_app
from tests.support.postgres import PostgresServer

MIGRATIONS = str(Path(__file__).resolve().parents[1] / "migrations")
_names = itertools.count()


def model_differences(url: str) -> list:
    """What autogenerate would add to make the database at `url` match the models."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def revisions() -> list[str]:
    """Every revision, oldest first (the history is a single line)."""
    script = ScriptDirectory(MIGRATIONS)
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def schema(postgres: PostgresServer, database: str) -> list[str]:
    """The database's schema as pg_dump prints it, without comments and session settings."""
    dump = subprocess.run(
        [
            str(postgres.pg_bin / "pg_dump"),
            "--schema-only", "--no-owner", "--no-privileges",
            "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres", database,
        ],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    # \restrict carries a random key per dump; comments name the server version.
    noise = ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")
    lines = dump.stdout.splitlines()
    return [line for line in lines if line.strip() and not line.startswith(noise)]


def leftovers() -> list[str]:
    """What the public schema holds besides Alembic's own version table."""
    found = db.session.scalars(
        text(
            """
            SELECT kind || ' ' || name FROM (
                SELECT 'relation' AS kind, c.relname AS name FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
                UNION ALL
                SELECT 'type', t.typname FROM pg_type t
                JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = 'public' AND t.typrelid = 0 AND t.typelem = 0
                UNION ALL
                SELECT 'function', p.proname FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
                UNION ALL
                SELECT 'extension', e.extname FROM pg_extension e WHERE e.extname <> 'plpgsql'
            ) AS objects ORDER BY 1
            """
        )
    ).all()
    alembic = {"relation alembic_version", "relation alembic_version_pkc"}
    return [item for item in found if item not in alembic]


@pytest.fixture
def empty_database(postgres: PostgresServer, smtp_server) -> Iterator[str]:
    """A new, empty database (no migrations run), its app's context pushed: its name."""
    name = f"lms_migrations_{next(_names)}"
    app = make_app(postgres.create_database(name), smtp_server)
    with app.app_context():
        try:
            yield name
        finally:
            db.session.remove()
            db.engine.dispose()
            postgres.drop_database(name)


def test_migrations_match_the_models(postgres, template_database):
    """Autogenerate against the migrated schema must find nothing to do."""
    assert model_differences(postgres.url(template_database)) == []


def test_upgrade_to_head_downgrade_to_base_and_upgrade_again(postgres, empty_database):
    name = empty_database
    upgrade(directory=MIGRATIONS)
    at_head = schema(postgres, name)
    assert model_differences(postgres.url(name)) == []

    downgrade(directory=MIGRATIONS, revision="base")
    assert leftovers() == []
    assert db.session.scalar(text("SELECT count(*) FROM alembic_version")) == 0
    db.session.remove()

    upgrade(directory=MIGRATIONS)
    assert schema(postgres, name) == at_head
    assert model_differences(postgres.url(name)) == []


def test_each_downgrade_restores_the_schema_its_upgrade_started_from(postgres, empty_database):
    name = empty_database
    stamp(directory=MIGRATIONS, revision="base")  # Alembic's version table, and nothing else
    assert leftovers() == []
    previous = "base"
    for revision in revisions():
        before = schema(postgres, name)
        upgrade(directory=MIGRATIONS, revision=revision)
        after = schema(postgres, name)
        downgrade(directory=MIGRATIONS, revision=previous)
        undone = schema(postgres, name)
        left, lost = sorted(set(undone) - set(before)), sorted(set(before) - set(undone))
        assert undone == before, f"downgrade of {revision} left {left} and lost {lost}"
        upgrade(directory=MIGRATIONS, revision=revision)
        assert schema(postgres, name) == after, f"{revision} upgrades differently the 2nd time"
        previous = revision
