"""The bell, the notifications page, marking read, stale links and privacy on read."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from notifications import kinds
from notifications.models import Notification
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def make(recipient, community=None, n=1, **extra):
    now = timezone.now()
    rows = [
        Notification(
            recipient=recipient,
            kind=extra.get("kind", kinds.MENTION),
            community=community,
            url=extra.get("url", "/c/x/"),
            subject=extra.get("subject", f"Thread {i}"),
            event_key=f"test:{community.pk if community else 0}:{i}:{extra.get('subject', '')}",
            created_at=now - dt.timedelta(hours=i),
            actor=extra.get("actor"),
            target_type=extra.get("target_type"),
            target_id=extra.get("target_id"),
        )
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


def test_the_bell_shows_the_unread_count_on_every_page(client, member, community):
    make(member, community, n=3)
    client.force_login(member)
    page = client.get(reverse("communities:directory")).content.decode()
    assert 'aria-label="Notifications, 3 unread"' in page


def test_visitors_get_no_bell_and_no_query_for_it(rf, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        page = render_to_string("base.html", request=request)
    assert "notification-bell" not in page
    assert "Log in" in page


def test_the_bell_costs_one_query_with_1000_notifications(member, community, django_assert_num_queries):
    from notifications.selectors import unread_count

    make(member, community, n=1000)
    with django_assert_num_queries(1):
        assert unread_count(member) == 100  # counted up to 99+1, shown as "99+"


def test_the_page_groups_by_day_with_a_fixed_number_of_queries(client, member, community, django_assert_num_queries):
    make(member, community, n=1000)
    client.force_login(member)
    # session, user, the page of 50 (with actors and communities), the bell's count
    with django_assert_num_queries(4):
        page = client.get(reverse("notifications:list")).content.decode()
    assert page.count('class="list-group-item') == 50
    assert "Older notifications" in page
    assert page.count('<h2 class="h6 text-body-secondary"') >= 2  # 50 rows an hour apart span days


def test_marking_one_read_lowers_the_count_and_htmx_gets_the_row(client, member, community):
    (one, _) = make(member, community, n=2)
    client.force_login(member)
    response = client.post(reverse("notifications:read", args=[one.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="notification-{one.pk}"' in body
    assert "Mark read" not in body.split("notification-bell")[0]
    assert 'data-hx-swap-oob="true"' in body
    assert "1 unread" in body
    one.refresh_from_db()
    assert one.read_at is not None


def test_marking_read_without_javascript_comes_back_to_the_page(client, member, community):
    (one,) = make(member, community)
    client.force_login(member)
    response = client.post(reverse("notifications:read", args=[one.pk]))
    assert response.status_code == 302
    assert response.url == reverse("notifications:list")


def test_mark_all_read(client, member, community):
    make(member, community, n=5)
    client.force_login(member)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(read_at=None).exists()
    assert 'aria-label="Notifications"' in client.get(reverse("notifications:list")).content.decode()


def test_someone_elses_notification_is_404(client, member, community):
    (theirs,) = make(UserFactory(), community)
    client.force_login(member)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:go", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post_and_a_login(client, member, community):
    (one,) = make(member, community)
    assert client.post(reverse("notifications:read", args=[one.pk])).status_code == 302  # to log in
    client.force_login(member)
    assert client.get(reverse("notifications:read", args=[one.pk])).status_code == 405


def test_following_a_notification_leads_to_the_exact_post_and_marks_it_read(client, member, community):
    from django.contrib.contenttypes.models import ContentType

    post = PostFactory(thread=ThreadFactory(community=community))
    (one,) = make(
        member,
        community,
        url=post.get_absolute_url(),
        target_type=ContentType.objects.get_for_model(post),
        target_id=post.pk,
    )
    client.force_login(member)
    response = client.get(reverse("notifications:go", args=[one.pk]))
    assert response.status_code == 302
    assert response.url == post.get_absolute_url()
    one.refresh_from_db()
    assert one.read_at is not None


def test_a_stale_link_to_a_deleted_post_gets_a_clear_page(client, member, community):
    from django.contrib.contenttypes.models import ContentType

    post = PostFactory(thread=ThreadFactory(community=community, title="Loops unplugged"))
    (one,) = make(
        member,
        community,
        subject="Loops unplugged",
        url=post.get_absolute_url(),
        target_type=ContentType.objects.get_for_model(post),
        target_id=post.pk,
    )
    post.thread.delete()
    client.force_login(member)
    response = client.get(reverse("notifications:go", args=[one.pk]))
    assert response.status_code == 410
    assert "This is no longer here" in response.content.decode()


def test_someone_who_left_a_private_community_no_longer_sees_its_notifications(client, django_assert_num_queries):
    private = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    public = CommunityFactory()
    person = MembershipFactory(community=private).user
    make(person, private, n=2, subject="Private plans")
    make(person, public, n=1, subject="Open talk")
    client.force_login(person)
    assert "Private plans" in client.get(reverse("notifications:list")).content.decode()
    person.memberships.all().delete()  # left
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Private plans" not in page
    assert "Open talk" in page
    assert 'aria-label="Notifications, 1 unread"' in page
    (old,) = Notification.objects.filter(subject="Private plans")[:1]
    assert client.get(reverse("notifications:go", args=[old.pk])).status_code == 404
