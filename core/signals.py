"""Core's receivers: keep the Sites framework equal to SITE_URL/SITE_NAME, stop writing to
addresses the email service reports as bounced or complained (django-anymail's tracking signal),
and let each PostgreSQL connection keep more prepared statements."""

import logging

from django.conf import settings

from core import links

log = logging.getLogger(__name__)

# psycopg keeps the 100 statements used last on a connection prepared; the member pages alone
# run more distinct ones than that, so the oldest would be dropped and prepared again in turn.
PREPARED_PER_CONNECTION = 500

# anymail event types after which an address gets nothing more.
SUPPRESSING_EVENTS = {"bounced": "bounced", "complained": "complained", "rejected": "rejected"}


def sync_site(**kwargs):
    """post_migrate: the Site row (allauth greets "Hello from <name>!") says what SITE_URL says."""
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": links.site_domain(), "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()


def record_tracking_event(sender, event, esp_name, **kwargs):
    """anymail ``tracking``: a bounce, complaint or rejection for an address suppresses it."""
    from core import mail

    reason = SUPPRESSING_EVENTS.get(event.event_type)
    if reason is None or not event.recipient:
        return
    detail = event.description or event.mta_response or ""
    mail.suppress(address=event.recipient, reason=reason, detail=str(detail), source=esp_name)
    log.info("suppressed %s after a %s event from %s", event.recipient, event.event_type, esp_name)


def send_due_emails_on_start(**kwargs):
    """celery ``worker_ready``: a (re)started worker sends what is due, its dead self's claims included."""
    from core.tasks import send_due_emails

    send_due_emails.delay()


def keep_more_prepared(sender, connection, **kwargs):
    """connection_created: room for PREPARED_PER_CONNECTION prepared statements (cop_site/settings.py)."""
    raw = connection.connection
    if connection.vendor == "postgresql" and hasattr(raw, "prepared_max"):
        raw.prepared_max = PREPARED_PER_CONNECTION
