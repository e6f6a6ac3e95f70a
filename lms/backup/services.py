"""Export the database to an archive (a JSON-lines file per table and a manifest with
checksums) and import such an archive into an empty database.

Generic over the metadata, so every table the app defines is included. The export reads
in one REPEATABLE READ, read-only transaction on PostgreSQL, so the archive is a
consistent snapshot even while learners keep working.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection

from lms.errors import DomainError
from lms.extensions import db

FORMAT_VERSION = 1
BATCH = 2000


class ImportRefused(DomainError):
    pass


@dataclass(frozen=True)
class TableReport:
    name: str
    rows: int
    sha256: str


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _encode(value):
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    if hasattr(value, "value") and not isinstance(value, dict | list | str | int | float):
        return value.value  # Python enums
    return value


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        ((key, inner),) = value.items()
        if key == "$dt":
            return datetime.fromisoformat(inner)
        if key == "$date":
            return date.fromisoformat(inner)
        if key == "$dec":
            return Decimal(inner)
        if key == "$b64":
            return base64.b64decode(inner)
    return value


def _rows(connection: Connection, table: Table) -> Iterator[bytes]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH).execute(
        select(*[column for column in table.columns]).order_by(*order)
    )
    for row in result:
        record = {key: _encode(value) for key, value in row._mapping.items()}
        yield (json.dumps(record, sort_keys=True, default=str) + "\n").encode()


def export_archive(path: str | Path) -> list[TableReport]:
    """Write every table to a .tar.gz archive; returns what was written."""
    reports = []
    engine = db.engine
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with tarfile.open(path, "w:gz") as archive:
            for table in _tables():
                buffer = io.BytesIO()
                digest = hashlib.sha256()
                count = 0
                for line in _rows(connection, table):
                    buffer.write(line)
                    digest.update(line)
                    count += 1
                _add(archive, f"tables/{table.name}.jsonl", buffer.getvalue())
                reports.append(TableReport(table.name, count, digest.hexdigest()))
            revision = _alembic_revision(connection)
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": datetime.now(UTC).isoformat(),
                "schema_revision": revision,
                "tables": [report.__dict__ for report in reports],
            }
            _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
        connection.rollback()
    return reports


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _alembic_revision(connection: Connection) -> str | None:
    try:
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - a database built without migrations has no version
        connection.rollback()
        return None


def read_manifest(path: str | Path) -> dict:
    with tarfile.open(path, "r:gz") as archive:
        return json.loads(archive.extractfile("manifest.json").read())


def verify_archive(path: str | Path) -> dict:
    """Check every table file against the manifest's checksum and row count."""
    with tarfile.open(path, "r:gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        for entry in manifest["tables"]:
            data = archive.extractfile(f"tables/{entry['name']}.jsonl").read()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise ImportRefused(f"Checksum mismatch for table {entry['name']}.")
            if data.count(b"\n") != entry["rows"]:
                raise ImportRefused(f"Row count mismatch for table {entry['name']}.")
    return manifest


def import_archive(path: str | Path) -> list[TableReport]:
    """Restore an archive into an empty, migrated database, all or nothing."""
    manifest = verify_archive(path)
    known = {table.name: table for table in _tables()}
    missing = [entry["name"] for entry in manifest["tables"] if entry["name"] not in known]
    if missing:
        raise ImportRefused(f"The archive has tables this version does not know: {missing}")
    reports = []
    with db.engine.begin() as connection, tarfile.open(path, "r:gz") as archive:
        revision = _alembic_revision(connection)
        if manifest.get("schema_revision") and revision != manifest["schema_revision"]:
            raise ImportRefused(
                f"The archive was made at schema {manifest['schema_revision']}, the database "
                f"is at {revision}. Migrate the database to that revision first."
            )
        for table in _tables():
            if connection.execute(select(func.count()).select_from(table)).scalar():
                raise ImportRefused(f"The database is not empty (table {table.name} has rows).")
        entries = {entry["name"]: entry for entry in manifest["tables"]}
        for table in _tables():
            entry = entries.get(table.name)
            if entry is None:
                continue
            handle = archive.extractfile(f"tables/{table.name}.jsonl")
            batch, count = [], 0
            for line in handle:
                record = {key: _decode(value) for key, value in json.loads(line).items()}
                batch.append(record)
                if len(batch) >= BATCH:
                    connection.execute(insert(table), batch)
                    count += len(batch)
                    batch = []
            if batch:
                connection.execute(insert(table), batch)
                count += len(batch)
            reports.append(TableReport(table.name, count, entry["sha256"]))
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
    return reports


def _reset_sequences(connection: Connection) -> None:
    """Move each serial id's sequence past the imported ids."""
    for table in _tables():
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or columns[0].type.python_type is not int:
            continue
        column = columns[0]
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        next_id = func.coalesce(select(func.max(column)).scalar_subquery(), 0) + 1
        if connection.execute(select(sequence)).scalar() is not None:
            connection.execute(select(func.setval(sequence, next_id, False)))
