"""WSGI entry point: `gunicorn wsgi:app`, and FLASK_APP for the `flask` command."""

from lms import create_app

app = create_app()
