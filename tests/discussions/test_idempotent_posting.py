"""Issue 15.12: one form submission makes one post, however often or however fast it is sent."""

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from discussions.models import Post, Subscription, Thread
from notifications import emails
from tests.discussions.factories import ThreadFactory
from tests.factories import PASSWORD, MembershipFactory, UserFactory


def _logged_in_opener(base, user):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form.encode(), headers={"Referer": base}))
    return opener


def _send_five_at_once(opener, url, data, base):
    barrier = threading.Barrier(5)
    statuses = []

    def send():
        barrier.wait()
        request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), headers={"Referer": base})
        with opener.open(request, timeout=30) as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_five_identical_replies_at_once_make_one_reply_and_one_round_of_emails(live_server, settings):
    settings.POST_RATE_LIMIT = "100/m"
    thread = ThreadFactory(title="Robots in grade 3")
    author = MembershipFactory(community=thread.community).user
    follower = MembershipFactory(community=thread.community, user=UserFactory(email_on_reply=True)).user
    Subscription.objects.create(thread=thread, user=follower)
    opener = _logged_in_opener(live_server.url, author)
    page = opener.open(live_server.url + thread.get_absolute_url()).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)
    url = live_server.url + reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    data = {"body": "Use the floor as a grid.", "submission": submission, "csrfmiddlewaretoken": csrf}
    mail.outbox.clear()
    statuses = _send_five_at_once(opener, url, data, live_server.url)
    assert statuses == [200] * 5  # every one lands on the reply (after its redirect)
    assert Post.objects.filter(thread=thread).count() == 1
    thread.refresh_from_db()
    assert thread.reply_count == 1
    # The thread's author is emailed at once; the follower's email waits for the thread's batch window.
    assert [m.to for m in mail.outbox] == [[thread.author.email]]
    mail.outbox.clear()
    emails.send_due(now=timezone.now() + timedelta(minutes=settings.NOTIFICATION_BATCH_MINUTES + 1))
    assert [m.to for m in mail.outbox] == [[follower.email]]


@pytest.mark.django_db(transaction=True)
def test_five_identical_new_threads_at_once_make_one_thread(live_server, settings):
    settings.POST_RATE_LIMIT = "100/m"
    community = MembershipFactory().community
    author = MembershipFactory(community=community).user
    opener = _logged_in_opener(live_server.url, author)
    new = live_server.url + reverse("discussions:new", kwargs={"slug": community.slug})
    page = opener.open(new).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission" value="([0-9a-f]{32})"', page).group(1)
    data = {"title": "Coding clubs", "kind": "idea", "body": "Who runs one?", "submission": submission}
    statuses = _send_five_at_once(opener, new, {**data, "csrfmiddlewaretoken": csrf}, live_server.url)
    assert statuses == [200] * 5
    assert Thread.objects.filter(community=community, title="Coding clubs").count() == 1


@pytest.mark.django_db
def test_the_same_form_sent_again_later_returns_the_same_reply_but_new_text_is_a_new_reply(client):
    thread = ThreadFactory()
    author = MembershipFactory(community=thread.community).user
    client.force_login(author)
    url = reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    key = "a" * 32
    first = client.post(url, {"body": "Same text", "submission": key})
    again = client.post(url, {"body": "Same text", "submission": key})
    assert first["Location"] == again["Location"]
    client.post(url, {"body": "Other text from the same inline box", "submission": key})
    client.post(url, {"body": "Same text", "submission": "b" * 32})  # a new form: a new reply
    assert Post.objects.filter(thread=thread).count() == 3
    client.post(url, {"body": "No key at all"})
    client.post(url, {"body": "No key at all"})
    assert Post.objects.filter(thread=thread).count() == 5  # without a key nothing is deduplicated
