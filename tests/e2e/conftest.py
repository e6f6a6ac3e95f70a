"""Browser journeys: the real app on a live server, driven in Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lms.extensions import db
from tests.conftest import make_app
from tests.support.liveserver import LiveServer


@pytest.fixture(scope="session")
def live_app(fresh_database, smtp_server):
    """The app as users get it: CSRF on, its own database, the demo content loaded."""
    app = make_app(fresh_database(), smtp_server, WTF_CSRF_ENABLED=True, TESTING=False)
    from lms.demo.seed import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The Content-Security-Policy forbids inline script and style: a violation is a bug.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"
