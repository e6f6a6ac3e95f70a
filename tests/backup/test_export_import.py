"""`flask lms export` / `flask lms import` round-trip a database, all or nothing."""

import tarfile

import pytest
from sqlalchemy import func, select

from lms.backup.services import ImportRefused, export_archive, import_archive, read_manifest
from lms.extensions import db
from tests.conftest import make_app


@pytest.fixture
def seeded_app(fresh_database, smtp_server):
    from lms.demo.seed import seed_demo

    app = make_app(fresh_database(), smtp_server)
    with app.app_context():
        seed_demo()
        db.session.commit()
    return app


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def test_export_then_import_restores_every_record(
    seeded_app, fresh_database, smtp_server, tmp_path
):
    archive = tmp_path / "backup.tar.gz"
    runner = seeded_app.test_cli_runner()
    result = runner.invoke(args=["lms", "export", str(archive)])
    assert result.exit_code == 0, result.output
    manifest = read_manifest(archive)
    assert manifest["schema_revision"]
    assert {entry["name"] for entry in manifest["tables"]} == set(db.metadata.tables)

    target = make_app(fresh_database(), smtp_server)
    result = target.test_cli_runner().invoke(args=["lms", "import", str(archive)])
    assert result.exit_code == 0, result.output
    assert table_counts(target) == table_counts(seeded_app)

    # Exporting the restored database gives identical table contents.
    again = tmp_path / "again.tar.gz"
    with target.app_context():
        export_archive(again)
    first = {e["name"]: e["sha256"] for e in manifest["tables"]}
    second = {e["name"]: e["sha256"] for e in read_manifest(again)["tables"]}
    assert first == second

    # New rows still get fresh ids after the import (sequences were moved on).
    from tests import factories

    with target.app_context():
        factories.learner(email="after.import@example.com")
        db.session.commit()


def test_import_refuses_a_database_that_is_not_empty(seeded_app, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    with seeded_app.app_context():
        export_archive(archive)
        with pytest.raises(ImportRefused, match="not empty"):
            import_archive(archive)


def test_import_refuses_a_tampered_archive(seeded_app, fresh_database, smtp_server, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    with seeded_app.app_context():
        export_archive(archive)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "tables/users.jsonl":
                data = data.replace(b"Priya Raman", b"Mallory Fake")
            member.size = len(data)
            import io

            out.addfile(member, io.BytesIO(data))
    target = make_app(fresh_database(), smtp_server)
    with target.app_context(), pytest.raises(ImportRefused, match="Checksum mismatch"):
        import_archive(tampered)
    assert table_counts(target)["users"] == 0
