"""Celery tasks of the resource library: the submitter's email and the weekly link check.

Tasks take ids and claim their row before acting, so running one twice does its work once.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core import mail, pagecache
from core.links import absolute_url
from core.tasks import EMAIL_TASK_OPTIONS, retry_later
from notifications import kinds
from notifications.services import moderator_ids, notify
from resources.linkcheck import check_url
from resources.models import CurationDecision, Resource

logger = logging.getLogger(__name__)

# Link checks run weekly; one run re-checks links not checked for this long.
RECHECK_AFTER_DAYS = 6
LINK_CHECK_BATCH = 500


@shared_task(name="resources.email_submitter_about_decision", **EMAIL_TASK_OPTIONS)
def email_submitter_about_decision(self, decision_id):
    """Tell the submitter a moderator approved, featured, rejected or archived their resource. Sends once."""
    decision = (
        CurationDecision.objects.select_related("resource__community", "resource__submitted_by")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return False
    resource = decision.resource
    person = resource.submitted_by
    if person is None or not person.is_active or not person.email:
        return False
    context = {
        "decision": decision,
        "resource": resource,
        "person": person,
        "community": resource.community,
        "url": absolute_url(resource.get_absolute_url()),
    }
    email = mail.compose(
        kind="resource_decision",
        template="resources/email/decision",
        to=person.email,
        key=f"resource-decision:{decision.pk}",
        context=context,
        ref=("resource", resource.pk),
    )
    return bool(retry_later(self, mail.send([email])).sent)


@shared_task(name="resources.check_resource_link", soft_time_limit=60, time_limit=90)
def check_resource_link(resource_id):
    """Check one resource's link and record the answer (working or broken, with why)."""
    resource = (
        Resource.objects.filter(pk=resource_id)
        .exclude(url="")
        .select_related("community")
        .only("pk", "url", "title", "link_checked_at", "community__slug")
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
        if not result.ok:
            _notify_broken(resource, result.problem)
    return result.ok


def _notify_broken(resource, problem):
    """Tell the moderators once per break: the key names the check that last found the link working."""
    last_check = resource.link_checked_at.isoformat() if resource.link_checked_at else "never"
    notify(
        kind=kinds.MOD_BROKEN_LINK,
        recipients=moderator_ids(resource.community),
        community=resource.community,
        target=resource,
        url=reverse("resources:review", kwargs={"slug": resource.community.slug}) + "#broken",
        subject=resource.title,
        detail=problem,
        event_key=f"broken_link:{resource.pk}:{last_check}",
        email_group=f"community:{resource.community_id}",
    )


@shared_task(name="resources.check_resource_links", soft_time_limit=300, time_limit=360)
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
