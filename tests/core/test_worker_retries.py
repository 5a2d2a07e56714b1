"""The retry path with a real Celery worker on Redis and a real SMTP server on loopback."""

import pytest

from communities import services as community_services
from communities.models import Invitation
from communities.permissions import access_for
from core.models import EmailDelivery
from tests.factories import CommunityFactory, MembershipFactory
from tests.workers import SITE_URL, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_busy_mailbox_is_retried_by_the_worker_with_backoff_and_gets_one_invitation(start_worker, smtp_server):
    smtp_server.handler.busy = True  # 451 for busy* addresses
    start_worker(EMAIL_RETRY_BACKOFF=1)
    community = CommunityFactory(name="Site Leaders Circle")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    community_services.invite(access=access_for(moderator, community), email="busy.principal@example.com")
    invitation = Invitation.objects.get()
    rows = EmailDelivery.objects.filter(ref_type="invitation", ref_id=invitation.pk)

    wait_for(lambda: rows.filter(status="failed", attempts__gte=2).exists(), what="two refused tries")
    failed = rows.get()
    assert "451" in failed.error
    assert failed.next_attempt_at is not None
    assert smtp_server.handler.received() == []

    smtp_server.handler.busy = False
    wait_for(lambda: rows.filter(status="sent").exists(), timeout=120, what="a retry after the mailbox freed up")
    (received,) = smtp_server.handler.to("busy.principal@example.com")
    assert received["Subject"].startswith("[CoP Forum] ")
    assert f"{SITE_URL}/invitations/" in received.get_body(preferencelist=("plain",)).get_content()
    assert rows.get().attempts >= 3
