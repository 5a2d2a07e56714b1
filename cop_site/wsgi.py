"""The WSGI application (gunicorn; the load benchmark serves it with 2 sync workers)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
application = get_wsgi_application()

from core.gcsettle import settle  # noqa: E402

# As in asgi.py: what the worker has loaded is kept out of the collector's walks.
settle()
