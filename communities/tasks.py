"""Emails about joining: a request's decision and an invitation's link, through core.mail.

Each email has one delivery row (its key names the request or invitation), so a task that
runs twice, or is retried after an SMTP failure, sends it once; a failure is recorded on
the row (the manage page shows it, with "Send again").
"""

from celery import shared_task

from communities.models import Invitation, JoinRequest
from core import mail
from core.links import absolute_reverse, absolute_url
from core.tasks import EMAIL_TASK_OPTIONS, retry_later


def invitation_key(invitation_id):
    return f"invitation:{invitation_id}"


@shared_task(name="communities.send_join_request_decision", **EMAIL_TASK_OPTIONS)
def send_join_request_decision(self, join_request_id):
    """Tell a requester whether they were let in. Sends at most once per request; True if sent now."""
    join_request = (
        JoinRequest.objects.select_related("community", "user")
        .filter(pk=join_request_id, status__in=[JoinRequest.Status.APPROVED, JoinRequest.Status.DECLINED])
        .first()
    )
    if join_request is None or not join_request.user.email:
        return False
    context = {
        "join_request": join_request,
        "community": join_request.community,
        "user": join_request.user,
        "approved": join_request.status == JoinRequest.Status.APPROVED,
        "url": absolute_url(join_request.community.get_absolute_url()),
        "directory_url": absolute_reverse("communities:directory"),
    }
    email = mail.compose(
        kind="join_request_decision",
        template="communities/email/join_request_decision",
        to=join_request.user.email,
        key=f"join-request-decision:{join_request.pk}",
        context=context,
        ref=("join_request", join_request.pk),
    )
    return bool(retry_later(self, mail.send([email])).sent)


@shared_task(name="communities.send_invitation", **EMAIL_TASK_OPTIONS)
def send_invitation(self, invitation_id):
    """Email an invitation's signed, single-use link. Sends at most once per invitation; True if sent now."""
    from communities.services import invitation_token

    invitation = (
        Invitation.objects.select_related("community", "invited_by")
        .filter(pk=invitation_id, revoked=False, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    context = {
        "invitation": invitation,
        "community": invitation.community,
        "inviter": invitation.invited_by,
        "url": absolute_reverse("communities:invitation", token=invitation_token(invitation)),
    }
    email = mail.compose(
        kind="invitation",
        template="communities/email/invitation",
        to=invitation.email,
        key=invitation_key(invitation.pk),
        context=context,
        ref=("invitation", invitation.pk),
    )
    return bool(retry_later(self, mail.send([email])).sent)
