"""`flask lms create-user` and `flask lms seed-demo`."""

from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.catalog.models import Course, MuscleGroup
from lms.demo import activity, content
from lms.enrolments.models import Enrolment


def counts(db_session) -> dict:
    return {
        model.__name__: db_session.scalar(select(func.count()).select_from(model))
        for model in (User, Course, MuscleGroup, Enrolment)
    }


def test_create_user_asks_for_password_and_sets_roles(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "Boss@Example.com",
            "--role",
            "admin",
            "--role",
            "instructor",
            "--name",
            "Pat Boss",
        ],
        input="a-secure-password\na-secure-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "boss@example.com"))
    assert user.roles == {Role.ADMIN, Role.INSTRUCTOR}
    assert user.email_verified


def test_create_user_refuses_weak_password_and_duplicates(app, db_session):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["lms", "create-user", "a@example.com", "--name", "A"], input="short\nshort\n"
    )
    assert weak.exit_code != 0 and "at least 10" in weak.output
    args = ["lms", "create-user", "dup@example.com", "--name", "D"]
    assert runner.invoke(args=args, input="good-password-1\ngood-password-1\n").exit_code == 0
    again = runner.invoke(args=args, input="good-password-1\ngood-password-1\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_seed_demo_is_idempotent(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.lms" in first.output and content.DEMO_PASSWORD in first.output
    after_first = counts(db_session)
    assert after_first["MuscleGroup"] >= 12 and after_first["Course"] >= 12
    # The named demo accounts, and the generated learners that fill the dashboards.
    assert after_first["User"] == len(content.DEMO_USERS) + activity.LEARNERS
    second = runner.invoke(args=["lms", "seed-demo"])
    assert second.exit_code == 0
    assert "created nothing" in second.output
    assert counts(db_session) == after_first
    regions = set(db_session.scalars(select(MuscleGroup.region_id).distinct()).all())
    assert len(regions) >= 5
