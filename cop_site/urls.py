import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import URLPattern, include, path

from communities.views import site_home
from core import views as core_views

logger = logging.getLogger(__name__)


def _set_up_services_only(view, name):
    """An email service's webhook answers 404, not 500, while that service has no settings here.

    anymail routes every service it knows; one without credentials raises on each request.
    The service we send through still fails loudly (logged) if it is misconfigured.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            if name.startswith(f"{settings.EMAIL_SERVICE}_") and settings.EMAIL_SERVICE:
                logger.exception("The %s webhook is not configured", settings.EMAIL_SERVICE)
            raise Http404("No such email service here.") from None

    return wrapper


ANYMAIL_PATTERNS = (
    [
        URLPattern(p.pattern, _set_up_services_only(p.callback, p.name), p.default_args, p.name)
        for p in anymail_urls.urlpatterns
    ],
    "anymail",
)

urlpatterns = [
    path("", site_home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("style/", core_views.style, name="style"),  # the design system, for staff (core/views.py)
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Email services report bounces and complaints here (django-anymail; core.signals suppresses them).
    path("anymail/", include(ANYMAIL_PATTERNS)),
    path("", include("accounts.urls")),
    # Each app's urls.py spells out its full paths (DESIGN.md's URL table).
    path("", include("communities.urls")),
    path("", include("notifications.urls")),
    path("", include("discussions.urls")),
    path("", include("resources.urls")),
    path("", include("calendar_app.urls")),
    path("", include("mentoring.urls")),
    path("", include("polls.urls")),
    path("", include("chats.urls")),
    path("", include("digests.urls")),
    path("", include("reports.urls")),
    path("", include("api.urls")),
    path("", include("api.lti_urls")),
]

if settings.BENCH_ENDPOINTS:  # the load benchmark's baseline (bench/run.py); core.W003 warns in production
    urlpatterns.append(path("bench/ok", core_views.trivial, name="trivial"))
