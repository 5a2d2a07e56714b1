"""Web processes are stateless: a session started on one works on another."""

import http.cookiejar
import re
import subprocess
import urllib.parse
import urllib.request

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.processes import ROOT, child_env, free_port, gunicorn_command, wait_until_serving

pytestmark = pytest.mark.slow  # long: run first, so no worker waits on it at the end (tests/conftest.py)


@pytest.fixture
def two_web_processes():
    env = child_env(DEBUG="false")
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            gunicorn_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    wait_until_serving(*bases, timeout=30)
    yield bases
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_a_session_started_on_one_web_process_works_on_another(two_web_processes):
    first, second = two_web_processes
    user = UserFactory(display_name="Roaming Teacher")
    jar = http.cookiejar.CookieJar()  # cookies are per host, not per port
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    login_page = opener.open(f"{first}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode({"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(f"{first}/accounts/login/", data=form.encode(), headers={"Referer": first})
    opener.open(request)

    page = opener.open(f"{second}/settings/")
    assert page.url == f"{second}/settings/", "the second process did not recognise the session"
    assert "Roaming Teacher" in page.read().decode()


@pytest.mark.django_db(transaction=True)
def test_a_reply_posted_on_one_process_shows_on_the_others_cached_page(two_web_processes):
    from django.urls import reverse

    from tests.discussions.factories import ThreadFactory
    from tests.factories import MembershipFactory

    first, second = two_web_processes
    thread = ThreadFactory(title="Shared cache across machines")
    MembershipFactory(community=thread.community, user=(user := UserFactory()))
    url = thread.get_absolute_url()
    visitor = urllib.request.build_opener()
    assert "Shared cache across machines" in visitor.open(f"{second}{url}").read().decode()
    cached = visitor.open(f"{second}{url}")
    assert cached.headers["X-Page-Cache"] == "hit"

    jar = http.cookiejar.CookieJar()
    member = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = member.open(f"{first}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode({"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    member.open(urllib.request.Request(f"{first}/accounts/login/", data=form.encode(), headers={"Referer": first}))
    page = member.open(f"{first}{url}").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"body": "Posted on the first machine.", "csrfmiddlewaretoken": token})
    reply_url = reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    member.open(urllib.request.Request(f"{first}{reply_url}", data=form.encode(), headers={"Referer": first}))

    seen = visitor.open(f"{second}{url}")
    assert seen.headers["X-Page-Cache"] == "miss"
    assert "Posted on the first machine." in seen.read().decode()
