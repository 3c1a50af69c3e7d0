"""Entry point for gunicorn: `gunicorn koepel.platform.wsgi:app`."""

from koepel.platform.app import create_app

app = create_app()
