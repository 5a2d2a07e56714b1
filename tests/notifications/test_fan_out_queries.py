"""Telling a thread's followers of a reply costs the same queries for 3 followers as for 60 (issue 19)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import kinds, services
from notifications.models import Notification
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _fan_out(community, thread, followers, key):
    payload = services.payload_for(
        kind=kinds.FOLLOWED_REPLY,
        recipients=followers,
        url=thread.get_absolute_url(),
        event_key=key,
        community=community,
        target=thread,
        subject=thread.title,
        email_group=f"thread:{thread.pk}",
    )
    with CaptureQueriesContext(connection) as captured:
        told = services.fan_out(payload)
    return told, len(captured.captured_queries)


def test_followers_are_told_in_a_fixed_number_of_queries(private_community, private_thread):
    few = [MembershipFactory(community=private_community).user for _ in range(3)]
    many = [MembershipFactory(community=private_community).user for _ in range(60)]
    told_few, queries_few = _fan_out(private_community, private_thread, few, "reply:1")
    told_many, queries_many = _fan_out(private_community, private_thread, many, "reply:2")
    assert (told_few, told_many) == (3, 60)
    assert Notification.objects.filter(kind=kinds.FOLLOWED_REPLY).count() == 63
    assert queries_many == queries_few
