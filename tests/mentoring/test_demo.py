from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from digests.selectors import calls_to_action
from mentoring.models import MentorProfile, MentorRequest, Pairing


@pytest.mark.django_db
def test_the_demo_shows_an_active_pair_with_a_check_in_due_and_a_waiting_request_once():
    call_command("seed_demo", stdout=StringIO())
    counts = (MentorProfile.objects.count(), MentorRequest.objects.count(), Pairing.objects.count())
    assert counts == (2, 2, 1)
    call_command("seed_demo", stdout=StringIO())
    assert (MentorProfile.objects.count(), MentorRequest.objects.count(), Pairing.objects.count()) == counts
    pairing = Pairing.objects.get()
    assert pairing.status == Pairing.Status.ACTIVE
    assert "both K-2" in pairing.reasons
    peer = User.objects.get(username="peer")
    assert [c.title for c in calls_to_action(user=peer).mentoring] == ["Check in with Morgan Lee"]
