"""Emails about joining: a request's decision and an invitation's link.

Each task takes an id, claims its row (sets the ``*_emailed_at``/``sent_at``
mark only if still empty) and sends only if the claim succeeded, so running it
twice sends one email.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from communities.models import Invitation, JoinRequest


def _send(template, context, to):
    context = {**context, "SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL}
    subject = render_to_string(f"communities/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"communities/email/{template}.txt", context)
    send_mail(f"[{settings.SITE_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [to])


@shared_task(name="communities.send_join_request_decision")
def send_join_request_decision(join_request_id):
    """Tell a requester whether they were let in. Sends at most once per request."""
    claimed = JoinRequest.objects.filter(
        pk=join_request_id,
        decision_emailed_at__isnull=True,
        status__in=[JoinRequest.Status.APPROVED, JoinRequest.Status.DECLINED],
    ).update(decision_emailed_at=timezone.now())
    if not claimed:
        return False
    join_request = JoinRequest.objects.select_related("community", "user").get(pk=join_request_id)
    context = {
        "join_request": join_request,
        "community": join_request.community,
        "user": join_request.user,
        "approved": join_request.status == JoinRequest.Status.APPROVED,
        "url": settings.SITE_URL + join_request.community.get_absolute_url(),
        "directory_url": settings.SITE_URL + reverse("communities:directory"),
    }
    _send("join_request_decision", context, join_request.user.email)
    return True


@shared_task(name="communities.send_invitation")
def send_invitation(invitation_id):
    """Email an invitation's signed, single-use link. Sends at most once per invitation."""
    from communities.services import invitation_token

    claimed = Invitation.objects.filter(
        pk=invitation_id, sent_at__isnull=True, revoked=False, accepted_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("community", "invited_by").get(pk=invitation_id)
    token = invitation_token(invitation)
    context = {
        "invitation": invitation,
        "community": invitation.community,
        "inviter": invitation.invited_by,
        "url": settings.SITE_URL + reverse("communities:invitation", kwargs={"token": token}),
    }
    _send("invitation", context, invitation.email)
    return True
