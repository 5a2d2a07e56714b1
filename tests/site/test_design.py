"""The design system (issue 20): the staff style page, the icons and the colour schemes in the CSS."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_staff_see_every_component_on_the_style_page(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/style/")
    assert response.status_code == 200
    html = response.content.decode()
    headings = ("Colour", "Type", "Spacing", "Buttons", "Form fields", "Badges", "Icons", "Cards and panels", "Alerts")
    for heading in (*headings, "Empty states"):
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
    from core.templatetags.icons import ICONS, KIND_ICONS

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
