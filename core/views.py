"""Pages every deployment has whatever apps it runs: the health check, the style page and the benchmark baseline."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.templatetags.icons import KIND_ICONS


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    # Redis itself: the cache answers from its database fallback when Redis is away.
    if hasattr(cache, "check_primary"):
        cache.check_primary()
    cache.set("healthz", "ok", 5)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not return the value it was given")


def _check_broker():
    if not settings.REDIS_URL:
        return "in-process"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    client.ping()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Liveness: 200 when the database, cache and broker answer, else 503 naming what failed."""
    checks = {}
    healthy = True
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            checks[name] = check() or "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means the part is down
            healthy = False
            checks[name] = f"error: {exc.__class__.__name__}"
    body = {"status": "ok" if healthy else "error", "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
@require_GET
def style(request):
    """The design system's components on one page (static/css/design.css), for staff: 403 for anyone else."""
    if not request.user.is_staff:
        raise PermissionDenied("The style page is for the site's staff.")
    sections = [
        ("colour", "Colour"),
        ("type", "Type"),
        ("spacing", "Spacing"),
        ("buttons", "Buttons"),
        ("fields", "Form fields"),
        ("badges", "Badges"),
        ("icons", "Icons"),
        ("cards", "Cards"),
        ("needs", "To-do rows"),
        ("alerts", "Alerts"),
        ("empty", "Empty states"),
    ]
    thread_kinds = [(kind, kind.replace("_", " ").capitalize()) for kind in KIND_ICONS["thread"]]
    context = {"kind_icons": KIND_ICONS, "sections": sections, "spacing": range(1, 7), "thread_kinds": thread_kinds}
    return render(request, "core/style.html", context)


def trivial(request):
    """The benchmark's baseline: the same stack and middleware, no work."""
    return HttpResponse("ok", content_type="text/plain")
