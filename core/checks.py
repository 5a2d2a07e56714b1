"""System checks of core: links in emails and feeds must lead to the site (``check --deploy``)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_the_served_address(app_configs=None, **kwargs):
    """SITE_URL builds every absolute link (core.links): in production it must be https and one of ALLOWED_HOSTS."""
    problems = []
    bits = urlsplit(settings.SITE_URL)
    if bits.scheme != "https":
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in emails and calendar feeds should use https.",
                hint="Set SITE_URL to the address people open, e.g. https://forum.example.org.",
                id="core.W001",
            )
        )
    hosts = settings.ALLOWED_HOSTS
    if "*" not in hosts and not any(
        bits.hostname == host or (host.startswith(".") and (bits.hostname or "").endswith(host)) for host in hosts
    ):
        problems.append(
            Warning(
                f"SITE_URL's host {bits.hostname!r} is not in ALLOWED_HOSTS: every link in an email would be dead.",
                hint="Set SITE_URL to the address the site is served at.",
                id="core.W002",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def no_benchmark_endpoints(app_configs=None, **kwargs):
    """The benchmark's /bench/ok belongs to bench/run.py's server, never to a deployed site."""
    if not settings.BENCH_ENDPOINTS:
        return []
    return [
        Warning(
            "BENCH_ENDPOINTS is on: /bench/ok is served.",
            hint="Unset BENCH_ENDPOINTS; only bench/run.py needs it.",
            id="core.W003",
        )
    ]
