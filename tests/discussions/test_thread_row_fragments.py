"""Thread rows come from the fragment cache (``{% thread_rows %}``, discussions/fragments.py, issue 19):
what every reader sees is exactly what including thread_row.html for each thread drew before, the
reader's own "New" badge included, and any change to a thread shows at once."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.template import Context, engines
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from accounts.models import User
from communities.permissions import access_for
from core import fragments as core_fragments
from discussions import fragments
from discussions.models import Post, ReadMark, Thread
from discussions.selectors import recent_threads, threads_for_list, with_read_state, with_recent_repliers
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.drawn import templates_drawn
from tests.factories import FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROW = Path(settings.BASE_DIR) / "templates/discussions/includes/thread_row.html"


def squeezed(html):
    """Whitespace between tags does not change the page; everything else must match."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def included_one_by_one(threads, user):
    """The rows as the lists drew them before: thread_row.html included per thread, its badge included."""
    source = ROW.read_text().replace("{{ unread_slot }}", '{% include "discussions/includes/unread_badge.html" %}')
    assert "unread_badge.html" in source
    engine = engines["django"].engine
    row = engine.from_string(source)
    html = "".join(row.render(Context({"thread": thread, "user": user})) for thread in threads)
    return squeezed(html)


def through_the_tag(threads, user):
    template = engines["django"].engine.from_string("{% load thread_rows %}{% thread_rows threads %}")
    return squeezed(template.render(Context({"threads": threads, "user": user})))


@pytest.fixture
def many_kinds(community, member, moderator):
    """Threads in every state a row shows: pinned, locked, hidden, answered, unanswered, a deleted author,
    text that needs escaping, a focus area, helpful marks, repliers with and without a picture."""
    area = FocusAreaFactory(community=community, name="Coding & <robots>")
    pictured = UserFactory(display_name="Pia <Picture>", avatar="avatars/abc123.webp")
    plain = UserFactory(display_name="Ana Rivera")
    MembershipFactory(community=community, user=pictured)
    MembershipFactory(community=community, user=plain)
    old = timezone.now() - timedelta(days=40)
    threads = [
        ThreadFactory(community=community, author=member, title='Rubrics "that" <work>', kind="question"),
        ThreadFactory(community=community, author=plain, title="Pinned one", is_pinned=True, focus_area=area),
        ThreadFactory(community=community, author=plain, title="Locked one", is_locked=True, kind="success"),
        ThreadFactory(community=community, author=None, title="By someone gone", kind="idea"),
        ThreadFactory(community=community, author=pictured, title="Hidden one", is_hidden=True),
        ThreadFactory(community=community, author=plain, title="Helpful one", kind="lesson"),
    ]
    answer = PostFactory(thread=threads[0], author=plain)
    Thread.objects.filter(pk=threads[0].pk).update(accepted_post=answer)
    for person in (pictured, plain, member):
        PostFactory(thread=threads[1], author=person)
    PostFactory(thread=threads[5], author=pictured)
    Thread.objects.filter(pk=threads[5].pk).update(helpful_count=3, created_at=old, last_activity_at=old)
    ReadMark.objects.create(user=member, thread=threads[1], upto=0)  # 2 new replies (their own does not count)
    ReadMark.objects.create(user=member, thread=threads[5], upto=10**9)  # read, nothing new
    return threads


def listed(community, viewer):
    access = access_for(viewer, community)
    return with_recent_repliers(with_read_state(threads_for_list(access=access), user=viewer))


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator", "replier"])
@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati"])
def test_rows_from_the_tag_match_including_the_row_template(community, member, moderator, many_kinds, who, zone):
    from django.contrib.auth.models import AnonymousUser

    viewer = {
        "anonymous": AnonymousUser(),
        "member": member,
        "moderator": moderator,
        "replier": many_kinds[1].author,
    }[who]
    with timezone.override(zone):
        home = with_recent_repliers(recent_threads(community=community, viewer=viewer))
        for threads in (listed(community, viewer), home):
            before = included_one_by_one(threads, viewer)
            assert through_the_tag(threads, viewer) == before  # drawn, then kept
            assert through_the_tag(threads, viewer) == before  # from the cache
    if who == "member":
        assert "2 new replies" in before or ">New</span>" in before


def test_rows_are_kept_in_the_cache_and_drawn_once(community, member, many_kinds, monkeypatch):
    threads = listed(community, member)
    through_the_tag(threads, member)
    drawn = templates_drawn(monkeypatch, fragments, core_fragments)  # the rows are drawn in core.fragments
    through_the_tag(listed(community, member), member)
    assert fragments.ROW_TEMPLATE not in drawn
    cache.clear()
    through_the_tag(listed(community, member), member)
    assert fragments.ROW_TEMPLATE in drawn


def test_each_reader_gets_their_own_badge_from_the_same_cached_row(community, member, many_kinds):
    other = MembershipFactory(community=community).user
    mine = listed(community, member)
    through_the_tag(mine, member)  # the member's view fills the cache
    theirs = through_the_tag(listed(community, other), other)
    assert theirs == included_one_by_one(listed(community, other), other)
    assert "2 new replies" not in theirs


def list_page(client, community):
    return client.get(reverse("discussions:list", kwargs={"slug": community.slug})).content.decode()


def test_a_change_to_a_thread_shows_on_the_list_at_once(client, community, member, many_kinds):
    client.force_login(member)
    assert "Pinned one" in list_page(client, community)
    thread = many_kinds[1]
    Thread.objects.filter(pk=thread.pk).update(title="Pinned, renamed")
    page = list_page(client, community)
    assert "Pinned, renamed" in page
    assert "Pinned one" not in page
    Thread.objects.filter(pk=thread.pk).update(reply_count=41)
    assert "41 replies" in list_page(client, community)
    newcomer = UserFactory(display_name="Brand Newcomer")
    Post.objects.create(thread=thread, community=community, author=newcomer, body="x")
    assert "Brand Newcomer (@" in list_page(client, community)
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    assert page.count(">Locked</span>") + 1 == list_page(client, community).count(">Locked</span>")


def test_a_rows_time_in_its_key_moves_on_exactly_when_the_words_do():
    now = timezone.now()
    ago = [
        timedelta(seconds=5), timedelta(seconds=59), timedelta(seconds=61), timedelta(minutes=2, seconds=3),
        timedelta(hours=1, seconds=2), timedelta(hours=1, minutes=1, seconds=2), timedelta(days=1, seconds=2),
        timedelta(days=8, seconds=2), timedelta(days=8, hours=3, seconds=2), timedelta(days=40), timedelta(days=400),
        timedelta(days=800), -timedelta(minutes=3),
    ]  # fmt: skip
    shown = [(timesince(now - delta), fragments.elapsed(now - delta)) for delta in ago]
    for words, key in shown:
        for other_words, other_key in shown:
            assert (words == other_words) == (key == other_key), (words, other_words)


def test_a_persons_avatar_is_in_a_rows_key_however_the_person_was_loaded():
    person = UserFactory(avatar="avatars/one.webp", display_name="Ana")
    fresh = User.objects.get(pk=person.pk)  # the stored name, as loaded
    touched = User.objects.get(pk=person.pk)
    assert touched.avatar  # now the FieldFile the descriptor made of it
    deferred = User.objects.only("id", "username", "display_name").get(pk=person.pk)
    wanted = (person.pk, person.username, "Ana", "avatars/one.webp")
    assert fragments._author(fresh) == fragments._author(touched) == fragments._author(deferred) == wanted
    User.objects.filter(pk=person.pk).update(avatar="")
    assert fragments._author(User.objects.get(pk=person.pk)) == (person.pk, person.username, "Ana", "")
