from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from communities.models import Community, Membership


@pytest.mark.django_db
def test_seed_demo_prints_logins_and_running_twice_duplicates_nothing():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), Community.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (User.objects.count(), Community.objects.count(), Membership.objects.count()) == counts
    printed = out.getvalue()
    for email in ("teacher@example.com", "moderator@example.com", "leader@example.com", "staff@example.com"):
        assert email in printed
    assert "cop-demo-2026" in printed
    assert User.objects.get(email="staff@example.com").is_staff
    assert User.objects.get(email="leader@example.com").can_create_communities
