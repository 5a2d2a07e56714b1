"""New accounts keep the zone the visitor already saw; settings offer common zones first."""

import re
from urllib.parse import quote

import pytest

from accounts.models import User
from tests.accounts.test_signup_and_login import SIGNUP, signup_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_account_takes_the_browsers_zone(client):
    client.cookies["tz"] = quote("America/Chicago")
    assert client.post(SIGNUP, signup_data()).status_code == 302
    assert User.objects.get(email="new.teacher@example.com").time_zone == "America/Chicago"


@pytest.mark.parametrize("cookie", ["", "Mars/Olympus_Mons", "x" * 500, "../../etc/passwd"])
def test_without_a_usable_browser_zone_a_new_account_is_utc(client, cookie):
    if cookie:
        client.cookies["tz"] = quote(cookie)
    assert client.post(SIGNUP, signup_data()).status_code == 302
    assert User.objects.get(email="new.teacher@example.com").time_zone == "UTC"


def test_a_refused_signup_creates_no_account_and_keeps_what_was_typed(client):
    client.cookies["tz"] = "America/Chicago"
    response = client.post(SIGNUP, signup_data(password2="something-else-42"))
    assert response.status_code == 200
    assert not User.objects.exists()
    assert 'value="new.teacher@example.com"' in response.content.decode()


def _options(html):
    select = re.search(r'<select name="time_zone".*?</select>', html, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    return [(label, re.findall(r'<option value="([^"]+)"', body)) for label, body in groups]


def test_settings_offer_common_zones_first_then_every_region(client):
    client.force_login(UserFactory())
    groups = _options(client.get("/settings/").content.decode())
    label, common = groups[0]
    assert label == "Common time zones"
    assert common[:3] == ["America/New_York", "America/Chicago", "America/Denver"]
    assert len(common) < 20
    assert [label for label, _zones in groups[1:]] == [
        "Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific",
    ]  # fmt: skip
    every = [zone for _label, zones in groups for zone in zones]
    assert "America/Argentina/Buenos_Aires" in every
    for junk in ("Factory", "localtime", "posixrules", "US/Central", "Etc/GMT+5", "EST5EDT"):
        assert junk not in every


@pytest.mark.parametrize("zone", ["Factory", "localtime", "", "Europe/Nowhere", "A" * 100])
def test_a_zone_not_offered_is_refused_with_a_message(client, zone):
    user = UserFactory(time_zone="Asia/Tokyo", display_name="Kept")
    client.force_login(user)
    response = client.post("/settings/", {"time_zone": zone, "display_name": "Changed", "digest_frequency": "monthly"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Pick one from the list" in page or "This field is required" in page
    assert 'value="Changed"' in page
    user.refresh_from_db()
    assert (user.time_zone, user.display_name) == ("Asia/Tokyo", "Kept")


def test_an_older_accounts_alias_zone_stays_selectable(client):
    user = UserFactory(time_zone="US/Central")
    client.force_login(user)
    page = client.get("/settings/").content.decode()
    assert _options(page)[0] == ("Your current zone", ["US/Central"])
    response = client.post("/settings/", {"time_zone": "US/Central", "digest_frequency": "monthly"})
    assert response.status_code == 302
