"""People's faces in the digest email (issue 20): the picture at an absolute address, or the initials on
the person's colour in inline styles (mail clients drop style sheets); the plain-text part has names only."""

import datetime as dt
import re

import pytest
from django.core import mail

from accounts import avatars
from digests.periods import current_period
from digests.tasks import start_monthly_digest
from tests.digests.factories import CommunityNoteFactory
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def sent(settings):
    settings.SITE_URL = "https://forum.example.org"
    period = current_period()
    community = CommunityFactory(name="Science Leads")
    CommunityNoteFactory(community=community, period=period.key, body="Welcome.")
    reader = MembershipFactory(community=community, user=UserFactory(display_name="Rita Reader")).user
    for name, username, picture in (("Nia Newcomer", "nia", ""), ("Pat Picture", "pat", f"avatars/{KEY}.webp")):
        person = UserFactory(display_name=name, username=username)
        person.avatar.name = picture
        person.save()
        joined = MembershipFactory(community=community, user=person)
        joined.joined_at = period.since + dt.timedelta(days=2)
        joined.save()
    area = FocusAreaFactory(community=community, name="Labs")
    area.followers.add(reader)
    asker = UserFactory(display_name="Quinn Asker", username="quinn")
    ThreadFactory(community=community, focus_area=area, author=asker, kind="question", title="Safe lab goggles?")
    start_monthly_digest()
    (message,) = [m for m in mail.outbox if m.to == [reader.email]]
    return message, message.alternatives[0][0]


def _spans_with(html, text):
    return re.findall(rf'<span aria-hidden="true" style="([^"]*)">{text}</span>', html)


def test_someone_without_a_picture_shows_their_initials_on_their_colour_in_inline_styles(sent):
    _message, html = sent
    (style,) = _spans_with(html, "NN")
    assert f"background-color:{avatars.PALETTE[avatars.colour_index('nia')]}" in style
    assert "color:#ffffff" in style
    assert "border-radius:50%" in style
    assert "width:28px;height:28px" in style
    assert 'class="avatar' not in html  # the site's style sheet never reaches a mail client


def test_an_uploaded_picture_is_linked_at_its_absolute_address(sent):
    _message, html = sent
    (tag,) = re.findall(r"<img [^>]*>", html)
    assert f'src="https://forum.example.org/media/avatars/{KEY}.webp"' in tag
    assert 'alt=""' in tag
    assert 'width="28"' in tag


def test_a_questions_author_appears_with_their_avatar(sent):
    _message, html = sent
    assert _spans_with(html, "QA"), "the asker's initials"
    assert "Quinn Asker" in html


def test_the_plain_text_part_names_people_without_initials(sent):
    message, _html = sent
    assert "New members: Nia Newcomer, Pat Picture" in message.body
    # Initials would stand before a name ("NN Nia Newcomer"); links' signed tokens may hold any letters.
    assert "NN Nia" not in message.body
    assert "PP Pat" not in message.body
    assert "<span" not in message.body
    assert "<img" not in message.body
