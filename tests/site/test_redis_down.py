"""Issue 15.1: with Redis unreachable the site keeps working, and no Celery task is lost.

A real gunicorn process runs with REDIS_URL at a closed port (cache, broker and result
backend all unreachable) against the test database, and a person walks the main journeys
with a real HTTP client: pages, logging in, a thread, a reply, a vote, an RSVP. Then a
Redis server starts on that very port ("Redis returns") and the tasks kept meanwhile are
found in its queue.
"""

import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calendar_app.models import RSVP
from core.models import PendingTask
from discussions.models import Post, Thread
from polls.models import Ballot
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import ThreadFactory
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory
from tests.processes import ROOT, child_env, free_port, gunicorn_command

pytestmark = pytest.mark.slow  # long: run first, so no worker waits on it at the end (tests/conftest.py)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that reports status codes instead of raising."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + "/"})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def get(self, path):
        return self.request(path)

    def post_form(self, page_path, action, data):
        """Open the page with the form (for its CSRF token), then send the form."""
        status, _headers, html = self.get(page_path)
        assert status == 200, (page_path, status)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert found, f"no form on {page_path}"
        return self.request(action, {**data, "csrfmiddlewaretoken": found.group(1)})


def _wait_until_serving(base, process):
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        assert process.poll() is None, "the web process stopped"
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)
            return
        except urllib.error.HTTPError:  # it answered (503: Redis is down, as this test wants)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the web process never answered")


@pytest.fixture
def redis_port():
    """A port where nothing listens yet: Redis is 'down' until the test starts one there."""
    return free_port()


@pytest.fixture
def site_without_redis(redis_port):
    env = child_env(
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CELERY_TASK_ALWAYS_EAGER="false",
        DEBUG="false",
        POST_RATE_LIMIT="3/d",  # a day: the window never rolls over mid-test
        CACHE_RETRY_SECONDS="1",
    )
    port = free_port()
    process = subprocess.Popen(
        gunicorn_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    _wait_until_serving(base, process)
    yield base
    process.terminate()
    _out, errors = process.communicate(timeout=20)
    assert b"Traceback" not in errors, errors.decode()[-4000:]


@pytest.fixture
def world(db):
    community = CommunityFactory(name="Redis-free Robotics", slug="robotics")
    teacher = MembershipFactory(community=community, user=UserFactory(display_name="Offline Olga")).user
    thread = ThreadFactory(community=community, title="Sensors on a budget")
    poll = PollFactory(community=community, question="Is Redis needed?")
    start = timezone.now() + timedelta(days=2)
    activity = ActivityFactory(community=community, title="Build night", start=start, end=start + timedelta(hours=1))
    return community, teacher, thread, poll, activity


@pytest.mark.django_db(transaction=True)
def test_the_main_journeys_work_with_redis_unreachable_and_kept_tasks_go_out_when_it_returns(
    site_without_redis, world, redis_port
):
    community, teacher, thread, poll, activity = world
    visitor = Browser(site_without_redis)

    status, _h, body = visitor.get("/healthz")
    assert status == 503
    assert '"cache": "error' in body

    for path in ("/", "/c/", "/c/robotics/", "/c/robotics/t/", thread.get_absolute_url(), "/c/robotics/calendar/"):
        status, _h, body = visitor.get(path)
        assert status == 200, (path, status)
    assert "Sensors on a budget" in visitor.get(thread.get_absolute_url())[2]

    person = Browser(site_without_redis)
    status, headers, _body = person.post_form(
        "/accounts/login/", "/accounts/login/", {"login": teacher.email, "password": PASSWORD}
    )
    assert status == 302, status
    status, _h, body = person.get("/settings/")
    assert status == 200
    assert "Offline Olga" in body

    new_thread = reverse("discussions:new", kwargs={"slug": community.slug})
    status, headers, _b = person.post_form(
        new_thread, new_thread, {"title": "Posted while Redis sleeps", "body": "Still works.", "kind": "idea"}
    )
    assert status == 302, status
    created = Thread.objects.get(title="Posted while Redis sleeps")

    reply = reverse("discussions:reply", kwargs={"slug": community.slug, "thread_id": thread.pk})
    status, _h, _b = person.post_form(thread.get_absolute_url(), reply, {"body": "A reply without Redis."})
    assert status == 302, status
    assert Post.objects.filter(thread=thread, body="A reply without Redis.").exists()

    # The rate limit still counts (in the database fallback): the 4th post of the day is refused.
    status, _h, _b = person.post_form(thread.get_absolute_url(), reply, {"body": "Second reply."})
    assert status == 302
    status, headers, body = person.post_form(thread.get_absolute_url(), reply, {"body": "Third reply, too fast."})
    assert status == 429
    assert int(headers["Retry-After"]) > 0
    assert "posting very quickly" in body

    vote = reverse("polls:vote", kwargs={"slug": community.slug, "poll_id": poll.pk})
    yes = poll.choices.get(label="Yes")
    status, _h, _b = person.post_form(poll.get_absolute_url(), vote, {"choice": yes.pk})
    assert status in (200, 302), status
    assert Ballot.objects.filter(poll=poll, voter=teacher).exists()

    rsvp = reverse("calendar_app:rsvp", kwargs={"slug": community.slug, "pk": activity.pk})
    status, _h, _b = person.post_form(activity.get_absolute_url(), rsvp, {"response": "going"})
    assert status in (200, 302), status
    assert RSVP.objects.filter(activity=activity, user=teacher, response="going").exists()

    status, _h, _b = person.post_form("/", "/accounts/logout/", {})
    assert status == 302
    assert person.get("/settings/")[0] == 302  # logged out: sent to log in

    # Work for Celery was kept, not lost: the notifications of each reply wait for the broker.
    kept = list(PendingTask.objects.values_list("name", flat=True))
    assert kept.count("notifications.fan_out") >= 2, kept
    assert created.pk

    # Redis returns on the same port; the next task published sends the kept ones too.
    server = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(port=redis_port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        time.sleep(1.5)  # the web process tries Redis again after CACHE_RETRY_SECONDS
        assert visitor.get("/healthz")[0] == 200
        person.post_form("/accounts/login/", "/accounts/login/", {"login": teacher.email, "password": PASSWORD})
        status, _h, _b = person.post_form(thread.get_absolute_url(), reply, {"body": "Redis is back."})
        assert status == 302
        assert not PendingTask.objects.exists()
        # The kept ones and the new reply's notifications, in the broker's queue.
        assert client.llen("celery") > len(kept)
    finally:
        server.terminate()
        server.wait(timeout=10)
