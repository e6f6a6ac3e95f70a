from lms.catalog.models import Course


def test_app_serves_landing_page_from_postgres(client, db_session):
    from tests import factories

    course = factories.course(title="Piriformis and Sciatica")
    response = client.get("/")
    assert response.status_code == 200
    assert "Piriformis and Sciatica" in response.get_data(as_text=True)
    assert db_session.get(Course, course.id) is not None
    assert db_session.bind.dialect.name == "postgresql"
