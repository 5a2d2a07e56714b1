"""The design system (issue 20): the staff style page, the icons and the colour schemes in the CSS."""

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.template import Context, Template

from core.templatetags.icons import ICONS, KIND_ICONS
from digests.periods import current_period
from digests.tasks import start_monthly_digest
from tests.digests.factories import CommunityNoteFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_staff_see_every_component_on_the_style_page(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/style/")
    assert response.status_code == 200
    html = response.content.decode()
    headings = (
        "Colour",
        "Type",
        "Spacing",
        "Buttons",
        "Form fields",
        "Badges",
        "Icons",
        "Cards and panels",
        "To-do rows",
    )
    for heading in (*headings, "Alerts", "Empty states"):
        assert f">{heading}</h2>" in html
    for state in ("Answered", "Overdue", "Featured", "Unanswered"):
        assert f"{state}</span>" in html
    assert 'class="bi bi-question-circle' in html  # a kind's icon, drawn inline


def test_a_member_who_is_not_staff_is_refused_the_style_page(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get("/style/")
    assert response.status_code == 403
    assert "Colour</h2>" not in response.content.decode()


def test_a_visitor_is_sent_to_log_in_from_the_style_page(client):
    response = client.get("/style/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_style_page_takes_only_get(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.post("/style/").status_code == 405


def test_an_icon_is_hidden_from_screen_readers_unless_it_is_named():
    html = Template('{% load icons %}{% icon "bell" %}|{% icon "bell" label="Notifications" %}').render(Context())
    hidden, named = html.split("|")
    assert 'aria-hidden="true"' in hidden
    assert "<path" in hidden
    assert 'role="img" aria-label="Notifications"' in named
    assert "aria-hidden" not in named


def test_an_unknown_icon_fails_loudly_rather_than_drawing_nothing():
    with pytest.raises(FileNotFoundError):
        Template('{% load icons %}{% icon "no-such-icon" %}').render(Context())
    with pytest.raises(ValueError, match="Not an icon name"):
        Template('{% load icons %}{% icon "../../package" %}').render(Context())


def test_every_kind_has_an_icon_in_the_installed_package():
    for family in KIND_ICONS.values():
        for name in family.values():
            assert (ICONS / f"{name}.svg").exists(), name


def test_the_design_follows_the_system_colour_scheme_without_javascript():
    css = (ROOT / "static/css/design.css").read_text()
    assert "@media (prefers-color-scheme: dark)" in css
    for token in ("--cop-brand", "--cop-accent", "--cop-ink", "--cop-paper"):
        assert len(re.findall(rf"{token}:", css)) >= 2, token  # a light and a dark value


def test_the_header_is_no_longer_bootstraps_blue_bar(client):
    html = client.get("/").content.decode()
    assert "navbar-dark bg-primary" not in html
    assert 'class="site-header"' in html
    assert "/static/css/design.css" in html


def test_the_digest_email_wears_the_sites_colours(settings):
    settings.SITE_URL = "https://forum.example.org"
    community = CommunityFactory(name="Science Leads")
    CommunityNoteFactory(community=community, period=current_period().key, body="Read *our plan*.")
    MembershipFactory(community=community)
    start_monthly_digest()
    ((html, _mimetype),) = mail.outbox[0].alternatives
    assert "background-color:#0a4744;border-bottom:3px solid #a3400f" in html  # the header bar, as on the site
    assert "#0b5e58" in html  # brand links and buttons
    assert "#0a58ca" not in html.lower()  # no Bootstrap blue left


PAGE_WEIGHT_LIMIT = 150 * 1024
_ASSET = re.compile(r'<(?:link rel="stylesheet" href|script[^>]* src)="/static/([^"]+)"')


def test_the_thread_page_weighs_under_150_kb_compressed(client):
    """HTML, CSS, JavaScript and fonts of a thread with 40 replies, each gzipped as WhiteNoise serves them."""
    community = CommunityFactory()
    member = MembershipFactory(community=community).user
    opening = "How do you teach <em>loops</em> to second graders? " * 20
    thread = ThreadFactory(community=community, author=member, body_html=f"<p>{opening}</p>")
    for n in range(40):
        text = f"Reply {n}: a dance routine with repeat blocks, then swap roles. " * 4
        PostFactory(thread=thread, author=member, body=text, body_html=f"<p>{text}</p>")
    client.force_login(member)
    html = client.get(thread.get_absolute_url()).content
    assets = _ASSET.findall(html.decode())
    assert "css/design.css" in assets
    assert "vendor/bootstrap/css/bootstrap.min.css" in assets
    weights = {"page": len(gzip.compress(html))}
    for path in assets:
        found = finders.find(path)
        assert found, path
        weights[path] = len(gzip.compress(Path(found).read_bytes()))
    css = "".join(Path(finders.find(p)).read_text() for p in assets if p.endswith(".css"))
    assert "@font-face" not in css  # the system's fonts: nothing to download
    total = sum(weights.values())
    assert total < PAGE_WEIGHT_LIMIT, f"{total} bytes compressed: {weights}"
