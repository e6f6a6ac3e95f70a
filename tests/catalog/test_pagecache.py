"""The anonymous page cache: served from cache, refreshed when a course changes."""

import pytest

from lms.extensions import cache, db
from tests import factories


@pytest.fixture
def caching(app):
    app.config["CATALOG_CACHE_SECONDS"] = 60
    cache.clear()
    yield
    app.config["CATALOG_CACHE_SECONDS"] = 0
    cache.clear()


def count_queries(app, client, path):
    from sqlalchemy import event

    statements = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, len(statements)


def test_anonymous_catalog_is_cached_until_a_course_changes(app, client, db_session, caching):
    course = factories.course(title="Scalenes and the Arm")
    first, _ = count_queries(app, client, "/catalog")
    assert "Scalenes and the Arm" in first.get_data(as_text=True)
    second, queries = count_queries(app, client, "/catalog")
    assert second.get_data() == first.get_data()
    assert queries == 1  # only the catalog version

    course.title = "Scalenes: Thoracic Outlet"
    db.session.flush()
    third = client.get("/catalog").get_data(as_text=True)
    assert "Scalenes: Thoracic Outlet" in third and "Scalenes and the Arm" not in third


def test_signed_in_pages_are_never_served_from_the_anonymous_cache(
    app, client, db_session, caching, login
):
    factories.course(title="Gluteus Medius Basics")
    client.get("/")
    login(factories.learner(legal_name="Rosa Diaz"))
    assert "Rosa Diaz" in client.get("/").get_data(as_text=True)
