import re
import time
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from digests.emails import unsubscribe_token
from digests.models import CommunityNote
from digests.periods import current_period
from digests.tasks import start_monthly_digest
from tests.digests.factories import CommunityNoteFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            if name in ("href", "src"):
                self.links.append(value)


@pytest.fixture
def sent(settings):
    settings.SITE_URL = "https://forum.example.org"
    community = CommunityFactory(name="Science Leads")
    CommunityNoteFactory(community=community, period=current_period().key, body="Read [our plan](/c/x/) and *enjoy*.")
    member = MembershipFactory(community=community).user
    start_monthly_digest()
    assert len(mail.outbox) == 1
    return member, mail.outbox[0]


def test_the_email_has_a_plain_text_and_an_html_part(sent):
    member, message = sent
    assert message.to == [member.email]
    assert "SCIENCE LEADS" in message.body
    assert "<p>" not in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "Science Leads" in html


def test_the_html_part_uses_no_external_css_and_every_link_is_absolute(sent):
    _member, message = sent
    html = message.alternatives[0][0]
    parser = LinkCollector()
    parser.feed(html)
    assert not [tag for tag, _ in parser.tags if tag in ("link", "style", "script")]
    assert "@import" not in html
    assert parser.links, "the digest should link somewhere"
    for link in parser.links:
        assert link.startswith("https://forum.example.org/"), link
    assert any(tag == "table" for tag, _ in parser.tags)
    assert all("style" in attrs for tag, attrs in parser.tags if tag == "td")


def test_plain_text_links_are_absolute(sent):
    _member, message = sent
    assert "[our plan](https://forum.example.org/c/x/)" in message.body
    for url in re.findall(r"https?://[^\s)]+", message.body):
        assert url.startswith("https://forum.example.org/")


def test_the_email_offers_one_click_unsubscribe_headers(sent, settings):
    _member, message = sent
    header = message.extra_headers["List-Unsubscribe"]
    https, mailto = (part.strip() for part in header.split(","))
    assert re.fullmatch(r"<https://forum\.example\.org/digests/unsubscribe/[^/]+/>", https)
    assert mailto == f"<mailto:{settings.EMAIL_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.subject == f"[CoP Forum] Your {current_period().title} digest"


def _path(user):
    return reverse("digests:unsubscribe", kwargs={"token": unsubscribe_token(user)})


def test_the_unsubscribe_link_shows_a_confirmation_and_changes_nothing(client, user):
    response = client.get(_path(user))
    assert response.status_code == 200
    assert b"Stop the monthly" in response.content
    assert user.email.encode() in response.content
    user.refresh_from_db()
    assert user.digest_frequency == "monthly"


def test_confirming_turns_the_digest_off_without_logging_in(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_path(user))
    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    user.refresh_from_db()
    assert user.digest_frequency == "off"


def test_a_mail_clients_one_click_post_works_without_csrf_or_session(user):
    other = UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _path(user), data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert User.objects.get(pk=user.pk).digest_frequency == "off"
    assert User.objects.get(pk=other.pk).digest_frequency == "monthly"


def test_a_tampered_token_gets_a_clear_page_and_changes_nothing(client, user):
    token = unsubscribe_token(user)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    url = reverse("digests:unsubscribe", kwargs={"token": tampered})
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert b"not valid" in response.content
        assert b"Nothing was changed" in response.content
    assert User.objects.get(pk=user.pk).digest_frequency == "monthly"


def test_an_expired_token_gets_a_clear_page_and_changes_nothing(client, user, settings):
    path = _path(user)
    settings.DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS = 0
    time.sleep(1.1)
    response = client.post(path)
    assert response.status_code == 400
    assert b"expired" in response.content
    assert User.objects.get(pk=user.pk).digest_frequency == "monthly"


def test_a_token_for_another_purpose_is_refused(client, user):
    from django.core import signing

    forged = signing.dumps({"u": user.pk}, salt="some.other.salt")
    response = client.post(reverse("digests:unsubscribe", kwargs={"token": forged}))
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).digest_frequency == "monthly"


def test_unsubscribing_twice_says_it_is_already_off(client, user):
    client.post(_path(user))
    response = client.get(_path(user))
    assert b"already off" in response.content


def test_the_settings_page_turns_the_digest_back_on(client, user):
    client.post(_path(user))
    client.force_login(user)
    form = {"display_name": user.display_name, "time_zone": "UTC", "digest_frequency": "monthly", "bio": ""}
    response = client.post(reverse("accounts:settings"), form)
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).digest_frequency == "monthly"


# -- the moderators' note -------------------------------------------------------
def note_url(community):
    return reverse("digests:community_note", kwargs={"slug": community.slug})


def test_a_moderator_previews_a_note_without_saving_it(client, community, moderator):
    client.force_login(moderator)
    response = client.post(note_url(community), {"body": "Welcome, **everyone**!", "preview": "Preview"})
    assert response.status_code == 200
    assert b"<strong>everyone</strong>" in response.content
    assert not CommunityNote.objects.exists()


def test_a_moderator_saves_the_note_for_the_next_digest(client, community, moderator):
    client.force_login(moderator)
    response = client.post(note_url(community), {"body": "Welcome, **everyone**!", "save": "Save note"}, follow=True)
    assert b"is saved" in response.content
    note = CommunityNote.objects.get(community=community)
    assert note.body_html == "<p>Welcome, <strong>everyone</strong>!</p>\n"
    assert note.author == moderator


def test_an_empty_note_removes_it(client, community, moderator):
    from digests.periods import next_monthly_period

    CommunityNoteFactory(community=community, period=next_monthly_period().key)
    client.force_login(moderator)
    client.post(note_url(community), {"body": "  ", "save": "Save note"})
    assert not CommunityNote.objects.exists()


def test_a_note_that_is_too_long_is_refused_with_a_message(client, community, moderator):
    client.force_login(moderator)
    response = client.post(note_url(community), {"body": "x" * 2001, "save": "Save note"})
    assert response.status_code == 400
    assert b"under 2000 characters" in response.content
    assert not CommunityNote.objects.exists()


def test_a_member_may_not_write_the_note(client, community, member):
    client.force_login(member)
    response = client.post(note_url(community), {"body": "Mine now", "save": "Save note"})
    assert response.status_code == 403
    assert not CommunityNote.objects.exists()


# -- staff preview -----------------------------------------------------------------
def test_staff_preview_the_digest_a_member_would_get(client, community, member):
    CommunityNoteFactory(community=community, period=current_period().key, body="Preview me please.")
    client.force_login(UserFactory(is_staff=True, display_name="Sam Staff"))
    response = client.get(reverse("digests:preview"), {"email": member.email})
    assert response.status_code == 200
    assert b"<p>Preview me please.</p>" in response.content
    assert b"Subject:" in response.content
    assert b"Preview me please.\n" in response.content  # the plain-text part too
    assert b"Sam Staff" in response.content  # the page's own navigation still names the staff member
    assert not mail.outbox


def test_staff_preview_says_when_a_member_would_get_nothing(client, member):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("digests:preview"), {"email": member.email})
    assert b"would get no email" in response.content


def test_staff_preview_refuses_an_unknown_member_or_period(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("digests:preview"), {"email": "ghost@example.com", "period": "13-2027"})
    assert response.status_code == 400
    assert b"No member has that email address." in response.content
    assert b"is not a period" in response.content


def test_members_cannot_open_the_staff_preview(client, member):
    client.force_login(member)
    response = client.get(reverse("digests:preview"), {"email": member.email})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_moderators_find_the_note_page_from_the_community_home(client, community, moderator, member):
    client.force_login(moderator)
    response = client.get(reverse("communities:home", kwargs={"slug": community.slug}))
    assert note_url(community).encode() in response.content
    assert b"Write a note" in response.content
    client.force_login(member)
    response = client.get(reverse("communities:home", kwargs={"slug": community.slug}))
    assert note_url(community).encode() not in response.content
