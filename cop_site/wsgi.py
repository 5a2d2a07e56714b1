"""The WSGI application (gunicorn; the load benchmark serves it with 2 sync workers)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402

from core.gcsettle import settle  # noqa: E402

# The URL configuration and the views it imports, loaded now rather than on the first request:
# gunicorn preloads this module in its master (gunicorn.conf.py), so they are shared by every
# worker it forks, and frozen with the rest below.
get_resolver().url_patterns  # noqa: B018
# As in asgi.py: what the worker has loaded is kept out of the collector's walks.
settle()
