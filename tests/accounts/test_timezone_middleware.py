import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from accounts.middleware import TimezoneMiddleware
from tests.factories import UserFactory


def zone_seen_by_view(user, cookies=None):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return

    request = RequestFactory().get("/")
    request.user = user
    request.COOKIES.update(cookies or {})
    TimezoneMiddleware(view)(request)
    return seen["zone"]


@pytest.mark.django_db
def test_a_logged_in_user_sees_times_in_their_own_zone():
    assert zone_seen_by_view(UserFactory(time_zone="Asia/Tokyo"), {"tz": "Europe/Paris"}) == "Asia/Tokyo"


def test_a_visitor_sees_times_in_the_browsers_zone():
    assert zone_seen_by_view(AnonymousUser(), {"tz": "America%2FChicago"}) == "America/Chicago"


def test_a_bogus_zone_cookie_falls_back_to_utc():
    assert zone_seen_by_view(AnonymousUser(), {"tz": "../../etc/passwd"}) == "UTC"
    assert timezone.get_current_timezone_name() == "UTC"


@pytest.mark.parametrize("cookie", ["x" * 300, "../../../etc/passwd", "Factory/../UTC", "%00"])
def test_a_garbled_zone_cookie_is_ignored_not_a_server_error(cookie):
    assert zone_seen_by_view(AnonymousUser(), {"tz": cookie}) == "UTC"
