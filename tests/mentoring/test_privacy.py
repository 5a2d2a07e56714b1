"""A pair's space is for the two of them: everyone else gets 404, moderators included, except reported messages."""

import pytest
from django.urls import reverse

from communities.models import Community
from mentoring.models import Message
from tests.factories import CommunityFactory, UserFactory
from tests.mentoring.factories import active_pairing, member_of, mentor

pytestmark = pytest.mark.django_db

SECRET = "Our private plan for the fractions unit"


@pytest.fixture
def pair():
    community = CommunityFactory(slug="math", visibility=Community.Visibility.MEMBERS)
    mentor_user = member_of(community, name="Riley")
    mentee = member_of(community, name="Jordan")
    pairing = active_pairing(mentor(community, user=mentor_user), mentee)
    Message.objects.create(pairing=pairing, author=mentee, body=SECRET, body_html=f"<p>{SECRET}</p>")
    return pairing


def pair_url(pairing, community=None):
    return reverse("mentoring:pair", kwargs={"slug": (community or pairing.community).slug, "pair_id": pairing.pk})


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_both_people_read_the_pair_space(client, pair, who):
    client.force_login(getattr(pair, who))
    response = client.get(pair_url(pair))
    assert response.status_code == 200
    assert SECRET in response.content.decode()


@pytest.mark.parametrize("who", ["member", "moderator", "district_leader", "staff", "outsider"])
def test_anyone_else_gets_404(client, pair, who):
    community = pair.community
    viewer = {
        "member": lambda: member_of(community),
        "moderator": lambda: member_of(community, is_moderator=True),
        "district_leader": lambda: member_of(community, is_district_leader=True),
        "staff": lambda: UserFactory(is_staff=True),
        "outsider": lambda: UserFactory(),
    }[who]()
    client.force_login(viewer)
    response = client.get(pair_url(pair))
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_a_former_member_of_the_pair_gets_404(client, pair):
    pair.mentee.memberships.filter(community=pair.community).delete()
    client.force_login(pair.mentee)
    assert client.get(pair_url(pair)).status_code == 404


def test_through_another_community_is_404(client, pair):
    other = CommunityFactory()
    other.memberships.create(user=pair.mentor)
    client.force_login(pair.mentor)
    assert client.get(pair_url(pair, community=other)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, pair):
    response = client.get(pair_url(pair))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_moderators_read_only_a_reported_message_on_the_leaders_page(client, pair):
    other = Message.objects.create(
        pairing=pair, author=pair.mentor, body="Not reported", body_html="<p>Not reported</p>"
    )
    moderator = member_of(pair.community, is_moderator=True)
    client.force_login(moderator)
    leaders = reverse("mentoring:leaders", kwargs={"slug": pair.community.slug})
    assert SECRET not in client.get(leaders).content.decode()

    client.force_login(pair.mentor)
    message = Message.objects.get(body=SECRET)
    report = reverse("mentoring:report", kwargs={"slug": "math", "pair_id": pair.pk, "message_id": message.pk})
    assert client.post(report, {"reason": "Rude"}).status_code == 302

    client.force_login(moderator)
    page = client.get(leaders).content.decode()
    assert SECRET in page
    assert "Rude" in page
    assert other.body not in page


def test_the_pair_files_are_for_the_pair_only(client, pair, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(pair.mentee)
    url = reverse("mentoring:message", kwargs={"slug": "math", "pair_id": pair.pk})
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    assert client.post(url, {"body": "", "file": upload}).status_code == 302
    message = Message.objects.exclude(file="").get()
    file_url = reverse("mentoring:attachment", kwargs={"slug": "math", "pair_id": pair.pk, "message_id": message.pk})
    response = client.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert response["Cache-Control"] == "private, no-store"

    client.force_login(member_of(pair.community, is_moderator=True))
    assert client.get(file_url).status_code == 404
