"""Celery tasks of the resource library: the submitter's email and the weekly link check.

Tasks take ids and claim their row before acting, so running one twice does its work once.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from core import pagecache
from resources.linkcheck import check_url
from resources.models import CurationDecision, Resource

logger = logging.getLogger(__name__)

# Link checks run weekly; one run re-checks links not checked for this long.
RECHECK_AFTER_DAYS = 6
LINK_CHECK_BATCH = 500


@shared_task
def email_submitter_about_decision(decision_id):
    """Tell the submitter a moderator approved, featured, rejected or archived their resource. Sends once."""
    claimed = CurationDecision.objects.filter(pk=decision_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    decision = CurationDecision.objects.select_related("resource__community", "resource__submitted_by").get(
        pk=decision_id
    )
    resource = decision.resource
    person = resource.submitted_by
    if person is None or not person.is_active or not person.email:
        return False
    context = {
        "SITE_URL": settings.SITE_URL,
        "SITE_NAME": settings.SITE_NAME,
        "decision": decision,
        "resource": resource,
        "person": person,
        "community": resource.community,
    }
    subject = render_to_string("resources/email/decision_subject.txt", context).strip()
    body = render_to_string("resources/email/decision.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    return True


@shared_task
def check_resource_link(resource_id):
    """Check one resource's link and record the answer (working or broken, with why)."""
    resource = (
        Resource.objects.filter(pk=resource_id)
        .exclude(url="")
        .select_related("community")
        .only("pk", "url", "community__slug")
        .first()
    )
    if resource is None:
        return None
    result = check_url(resource.url)
    status = Resource.LinkStatus.OK if result.ok else Resource.LinkStatus.BROKEN
    changed = Resource.objects.filter(pk=resource_id, url=resource.url).exclude(link_status=status).exists()
    Resource.objects.filter(pk=resource_id, url=resource.url).update(
        link_status=status, link_problem=result.problem[:300], link_checked_at=timezone.now()
    )
    if changed:  # a link that broke (or mended) shows on the community's cached pages
        pagecache.bump_community(resource.community.slug)
    return result.ok


@shared_task
def check_resource_links():
    """Periodic: check every live link not checked in the last week; broken ones show in the review queue."""
    stale = timezone.now() - timedelta(days=RECHECK_AFTER_DAYS)
    ids = list(
        Resource.objects.exclude(url="")
        .exclude(status__in=[Resource.Status.REJECTED, Resource.Status.ARCHIVED])
        .filter(Q(link_checked_at__isnull=True) | Q(link_checked_at__lt=stale))
        .order_by("link_checked_at")
        .values_list("pk", flat=True)[:LINK_CHECK_BATCH]
    )
    for resource_id in ids:
        check_resource_link(resource_id)
    logger.info("Checked %s resource links", len(ids))
    return len(ids)
