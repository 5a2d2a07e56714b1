"""The ASGI application: Django's views over HTTP, the chat rooms over WebSockets (Channels).

Served by uvicorn in the Procfile (`make up`) and by daphne's runserver in `make run`.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
django_application = get_asgi_application()

# Imported after Django is set up: the routes load models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from chats.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

from core.gcsettle import settle  # noqa: E402

# Everything loaded so far lives as long as the process: keep the garbage collector from
# walking it again and again (core/gcsettle.py). A full collection over Django's objects
# stalls every socket of the process for tens of milliseconds.
settle()
