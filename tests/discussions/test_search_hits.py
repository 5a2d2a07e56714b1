"""The discussion results of /search/ (issue 19): one statement loads the page's openings and replies
(discussions.selectors._hits_postgres) and each result's markup comes from the fragment cache
(search_hit.html through {% discussion_hits %}); the page shows what the querysets and the template
showed before, and a change to a thread shows at once."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.template import Context, engines
from django.utils import timezone

from communities.models import Community
from communities.permissions import search_scope
from core import fragments as core_fragments
from core import search as core_search
from discussions import fragments as discussion_fragments
from discussions import selectors
from discussions.models import Thread
from polls.models import Poll
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.drawn import templates_drawn
from tests.factories import CommunityFactory, FocusAreaFactory, UserFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(community):
    """Openings and replies in every state a result shows."""
    area = FocusAreaFactory(community=community, name="Coding & <robots>")
    named = UserFactory(display_name="Ana <Rivera>")
    plain = UserFactory(display_name="")
    other = CommunityFactory(name="Second & <community>")
    threads = [
        ThreadFactory(community=community, author=named, title='Robots "that" <work>', kind="lesson", focus_area=area),
        ThreadFactory(community=community, author=None, title="Robots by someone gone", body="No robots here."),
        ThreadFactory(community=other, author=plain, title="???", body="robots " * 80, kind="idea"),
    ]
    PostFactory(thread=threads[0], author=plain, body="More robots & <b>bolts</b>.")
    PostFactory(thread=threads[2], author=None, body="Robots, from a former member.")
    PostFactory(thread=threads[1], author=named, body="Robots again, and -robots.")
    return threads


def candidates(terms):
    scope = search_scope(AnonymousUser())
    section = selectors.search(viewer=AnonymousUser(), terms=terms, scope=scope)
    return list(section.page.object_list), section


@pytest.mark.parametrize("text", ["robots", "robots bolts", '"robots again"', "robots -bolts", "gone"])
def test_the_statement_gives_the_hits_the_querysets_give(found, text):
    terms = core_search.parse(text)
    rows, section = candidates(terms)
    assert rows
    assert selectors._hits_postgres(rows, terms) == selectors._hits_orm(rows, terms)
    assert [(hit.reply, hit.title) for hit in section.hits]


def test_a_reply_links_to_itself_and_an_opening_to_its_thread(found):
    _rows, section = candidates(core_search.parse("bolts"))
    [hit] = section.hits
    post = found[0].posts.get()
    assert hit.url == post.get_absolute_url()
    assert hit.reply
    _rows, section = candidates(core_search.parse("gone"))
    assert [hit.url for hit in section.hits] == [found[1].get_absolute_url()]


def squeezed(html):
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def test_the_cached_markup_is_what_the_template_draws(found):
    _rows, section = candidates(core_search.parse("robots"))
    engine = engines["django"].engine
    one = engine.get_template("discussions/includes/search_hit.html")
    included = squeezed("".join(one.render(Context({"hit": hit})) for hit in section.hits))
    tag = engine.from_string('{% include "discussions/includes/search_hits.html" %}')
    assert squeezed(tag.render(Context({"section": section}))) == included  # drawn, then kept
    assert squeezed(tag.render(Context({"section": section}))) == included  # from the cache
    assert "Robots &quot;that&quot; &lt;work&gt;" in included
    assert "Coding &amp; &lt;robots&gt;" in included
    assert "a former member" in included


def test_results_are_drawn_once_then_read_from_the_cache(found, monkeypatch):
    _rows, section = candidates(core_search.parse("robots"))
    tag = engines["django"].engine.from_string('{% include "discussions/includes/search_hits.html" %}')
    tag.render(Context({"section": section}))
    drawn = templates_drawn(monkeypatch, core_fragments)
    tag.render(Context({"section": section}))
    assert drawn == []
    cache.clear()
    tag.render(Context({"section": section}))
    assert drawn == []  # this process's copy
    discussion_fragments.HITS_KEPT.clear()  # and nowhere else
    tag.render(Context({"section": section}))
    assert drawn == ["discussions/includes/search_hit.html"]
    drawn.clear()
    discussion_fragments.HITS_KEPT.clear()  # another process: Redis has them
    tag.render(Context({"section": section}))
    assert drawn == []


def test_a_renamed_thread_shows_its_new_title_at_once(client, found):
    assert "Robots by someone gone" in client.get("/search/", {"q": "robots"}).content.decode()
    Thread.objects.filter(pk=found[1].pk).update(title="Robots, renamed")
    content = client.get("/search/", {"q": "robots"}).content.decode()
    assert "Robots, renamed" in content
    assert "Robots by someone gone" not in content


def test_a_members_only_result_stays_with_members(client, found):
    private = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    ThreadFactory(community=private, title="Private robots", body="Secret robots.")
    member = UserFactory()
    private.memberships.create(user=member)
    client.force_login(member)
    assert "Private robots" in client.get("/search/", {"q": "robots"}).content.decode()  # now in the cache
    client.logout()
    assert "Private robots" not in client.get("/search/", {"q": "robots"}).content.decode()
    client.force_login(UserFactory())
    assert "Private robots" not in client.get("/search/", {"q": "robots"}).content.decode()


@pytest.mark.parametrize("factory", [ResourceFactory, ActivityFactory, PollFactory])
def test_other_kinds_load_what_the_queryset_loads(community, factory):
    """core.search._rows_with_community: each hit as ``select_related("community")`` with ``headline``
    loads it (every field but the search vector, the community's name and slug, the marked snippet)."""
    other = CommunityFactory(name="Other & <co>")
    made = [factory(community=community), factory(community=other), factory(community=community)]
    model = type(made[0])
    terms = core_search.parse("robots")
    field = {"Resource": "description", "Activity": "description", "Poll": "description"}[model.__name__]
    model.objects.filter(pk__in=[m.pk for m in made]).update(**{field: "Our robots & <b>bolts</b> club."})
    ids = [m.pk for m in made]
    loaded = core_search._rows_with_community(model, ids, terms, field, using="default")
    queried = model.objects.filter(pk__in=ids).select_related("community")
    names = [f.attname for f in model._meta.concrete_fields if f.name != "search_vector"]
    for obj in core_search.headline(queried, terms, field):
        mine = loaded[obj.pk]
        assert [getattr(mine, name) for name in names] == [getattr(obj, name) for name in names]
        assert (mine.community.pk, mine.community.name, mine.community.slug) == (
            obj.community.pk,
            obj.community.name,
            obj.community.slug,
        )
        assert mine.snippet == obj.snippet
        assert "<b>" not in core_search.safe_snippet(mine)
        assert mine.get_absolute_url() == obj.get_absolute_url()


def test_a_poll_that_closes_shows_closed_at_once(client, community):
    poll = PollFactory(community=community, question="Robots next term?")
    assert ">Open</span>" in section(client, "polls")
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert ">Closed</span>" in section(client, "polls")


def test_a_poll_shows_closed_once_its_closing_time_has_passed(client, community, monkeypatch):
    PollFactory(community=community, question="Robots next term?", closes_at=timezone.now() + timedelta(hours=1))
    assert ">Open</span>" in section(client, "polls")  # now in the cache
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)  # nothing changed but the time
    assert ">Closed</span>" in section(client, "polls")


def test_a_renamed_resource_and_activity_show_at_once(client, community):
    resource = ResourceFactory(community=community, title="Robots kit")
    activity = ActivityFactory(community=community, title="Robots day")
    assert "Robots kit" in section(client, "resources")
    assert "Robots day" in section(client, "activities")
    type(resource).objects.filter(pk=resource.pk).update(title="Robots kit, renamed")
    type(activity).objects.filter(pk=activity.pk).update(title="Robots day, renamed")
    assert "Robots kit, renamed" in section(client, "resources")
    assert "Robots day, renamed" in section(client, "activities")


def section(client, kind):
    content = client.get("/search/", {"q": "robots"}).content.decode()
    start = content.index(f'id="results-{kind}"')
    return content[start : content.index("</section>", start)]


@pytest.mark.parametrize(
    "params",
    [None, {"q": "robots"}, {"q": "robots", "type": "polls", "community": "SLUG", "kind": "idea"}, {"type": "nope"}],
)
def test_the_search_forms_options_are_what_the_template_loop_drew(community, params):
    from discussions.forms import SearchForm

    CommunityFactory.create_batch(3)
    if params and "community" in params:
        params["community"] = community.slug
    form = SearchForm(params, scope=search_scope(AnonymousUser()), kinds=core_search.providers())
    form.is_valid()
    engine = engines["django"].engine
    loop = engine.from_string(
        '{% for value, label in field.field.choices %}<option value="{{ value }}"{% if field.value|stringformat:"s"'
        ' == value|stringformat:"s" %} selected{% endif %}>{{ label }}</option>{% endfor %}'
    )
    typed = engine.from_string(
        "{% for value, label in field.field.choices %}<option value=\"{{ value }}\"{% if field.value|default:''"
        " == value %} selected{% endif %}>{{ label }}</option>{% endfor %}"
    )
    tag = engine.from_string("{% load select_options %}{% select_options field %}")
    blank = engine.from_string("{% load select_options %}{% select_options field blank=True %}")
    for name in ("community", "kind"):
        context = Context({"field": form[name]})
        assert tag.render(context) == loop.render(context)
    context = Context({"field": form["type"]})
    assert blank.render(context) == typed.render(context)
