"""Social login switches on from the environment alone (README: GOOGLE_CLIENT_ID, MICROSOFT_CLIENT_ID).

Settings read those variables at import, so the site runs in a process of its own with
them set (dummy ids). Nothing leaves the machine: the test stops at the redirect to the
provider and reads its Location header.
"""

import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.processes import ROOT, child_env, free_port, gunicorn_command

pytestmark = pytest.mark.slow  # long: run first, so no worker waits on it at the end (tests/conftest.py)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def site_with_social_login():
    env = child_env(
        DEBUG="false",
        GOOGLE_CLIENT_ID="dummy-google-id.apps.googleusercontent.com",
        GOOGLE_CLIENT_SECRET="dummy-google-secret",
        MICROSOFT_CLIENT_ID="00000000-0000-0000-0000-00000000d0e5",
        MICROSOFT_CLIENT_SECRET="dummy-microsoft-secret",
        MICROSOFT_TENANT="organizations",
    )
    port = free_port()
    process = subprocess.Popen(
        gunicorn_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"the site did not start with social login on:\n{process.stderr.read().decode()[-3000:]}")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_site_starts_with_google_and_microsoft_and_sends_people_to_each_provider(site_with_social_login):
    url = site_with_social_login
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirects)

    login_page = opener.open(f"{url}/accounts/login/").read().decode()
    google = re.search(r'<a[^>]+href="(/accounts/google/login/[^"]*)"[^>]*>\s*([^<]*?)\s*</a>', login_page)
    microsoft = re.search(r'<a[^>]+href="(/accounts/microsoft/login/[^"]*)"[^>]*>\s*([^<]*?)\s*</a>', login_page)
    assert google, login_page
    assert microsoft, login_page
    assert (google.group(2), microsoft.group(2)) == ("Google", "Microsoft")

    expected = {
        "google": ("accounts.google.com", "/o/oauth2/v2/auth", "dummy-google-id.apps.googleusercontent.com"),
        "microsoft": (
            "login.microsoftonline.com",
            "/organizations/oauth2/v2.0/authorize",
            "00000000-0000-0000-0000-00000000d0e5",
        ),
    }
    for provider, link in (("google", google), ("microsoft", microsoft)):
        # allauth asks before leaving the site (a GET must not start a login), then redirects on POST.
        confirm = opener.open(url + link.group(1).replace("&amp;", "&")).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm).group(1)
        request = urllib.request.Request(
            url + link.group(1).replace("&amp;", "&"),
            data=urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode(),
            headers={"Referer": f"{url}/accounts/login/"},
        )
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(request)
        assert redirect.value.code == 302
        location = urllib.parse.urlsplit(redirect.value.headers["Location"])
        query = urllib.parse.parse_qs(location.query)
        host, path, client_id = expected[provider]
        assert (location.scheme, location.hostname, location.path) == ("https", host, path)
        assert query["client_id"] == [client_id]
        assert query["response_type"] == ["code"]
        assert query["redirect_uri"] == [f"{url}/accounts/{provider}/login/callback/"]
        assert query["state"][0]
