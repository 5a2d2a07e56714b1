"""The member's part of the site header comes from {% member_nav %} (core/templatetags/chrome.py,
issue 19): kept per process, yet each member sees exactly their own header, with this request's
CSRF field, and a change to what it shows is drawn at once."""

import re

import pytest
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _check_token_format
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

from core.fragments import ROOT
from core.templatetags import chrome
from tests.factories import UserFactory
from tests.notifications.test_pages import make

pytestmark = pytest.mark.django_db

FIELD = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">')


def header(client):
    html = client.get(reverse("communities:directory")).content.decode()
    return html[html.index('<ul class="navbar-nav">') : html.index("</header>")]


def drawn_as_before(user, count):
    """The markup base.html drew before: the same template with Django's own {% csrf_token %}."""
    source = (ROOT / "templates/includes/member_nav.html").read_text()
    source = source.replace("{{ csrf_slot }}", "{% csrf_token %}")
    request = RequestFactory().get("/")
    request.user = user
    return engines["django"].from_string(source).render({"user": user, "unread_notifications": count}, request)


def squeezed(html):
    html = FIELD.sub('<input type="hidden" name="csrfmiddlewaretoken" value="TOKEN">', html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


@pytest.mark.parametrize("staff", [False, True])
def test_the_header_is_what_the_template_draws(staff):
    person = UserFactory(display_name="Ana <Rivera> & co", is_staff=staff)
    client = Client()
    client.force_login(person)
    chrome._kept.clear()
    for _ in range(2):  # drawn, then from what was kept
        shown = header(client)
        assert squeezed(drawn_as_before(person, 0)) in squeezed(shown)
        assert "Ana &lt;Rivera&gt; &amp; co" in shown
        assert ("Admin</a>" in shown) is staff


def test_each_member_sees_their_own_name_and_count():
    ana, ben = UserFactory(display_name="Ana Rivera"), UserFactory(display_name="Ben Okafor")
    make(ben, None, n=3, subject="for Ben")
    seen = {}
    for person in (ana, ben, ana):
        client = Client()
        client.force_login(person)
        seen[person.pk] = header(client)
    assert "Ana Rivera" in seen[ana.pk]
    assert "Ben Okafor" not in seen[ana.pk]
    assert "Ben Okafor" in seen[ben.pk]
    assert "Ana Rivera" not in seen[ben.pk]
    assert "3 unread" in seen[ben.pk]
    assert "unread" not in seen[ana.pk]


def test_a_new_name_shows_at_once():
    person = UserFactory(display_name="Before")
    client = Client()
    client.force_login(person)
    assert "Before" in header(client)
    person.display_name = "After"
    person.save()
    shown = header(client)
    assert "After" in shown
    assert "Before" not in shown


def test_the_csrf_field_is_this_requests_and_logs_out():
    person = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    first = FIELD.search(header(client)).group(1)
    second = FIELD.search(header(client)).group(1)
    assert first != second  # masked afresh each time, never the kept one
    _check_token_format(second)
    assert len(second) == CSRF_TOKEN_LENGTH
    answer = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": second})
    assert answer.status_code == 302
    assert client.get(reverse("accounts:settings")).status_code == 302  # logged out


def test_visitors_get_the_log_in_links():
    shown = header(Client())
    assert "Log in" in shown
    assert "csrfmiddlewaretoken" not in shown


def test_a_new_notification_shows_in_the_bell_at_once():
    person = UserFactory()
    client = Client()
    client.force_login(person)
    assert "unread" not in header(client)
    make(person, None, n=2, subject="new")
    assert "2 unread" in header(client)
