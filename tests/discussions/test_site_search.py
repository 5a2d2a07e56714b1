"""Site search (/search/): any word matches, all words rank first, stems, phrases, "Did you mean",
resources, activities and polls grouped by kind, the same privacy rules for each, bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from core import search as core_search
from discussions import services
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def results(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def section(content, kind):
    """The HTML of one kind's section of the results ('' when absent)."""
    start = content.find(f'id="results-{kind}"')
    if start == -1:
        return ""
    return content[start : content.find("</section>", start)]


# -- what matches --------------------------------------------------------------------------


def test_some_of_the_words_are_enough(client, community):
    ThreadFactory(community=community, title="Which block-coding app works offline on old tablets?", body="Wifi.")
    content = results(client, q="scratch offline tablets")
    assert "Which block-coding app works offline on old tablets?" in content
    assert "1 result for" in content


def test_a_plural_finds_the_singular(client, community):
    ThreadFactory(community=community, title="Sharing a rubric", body="For the robot project.")
    assert "Sharing a rubric" in results(client, q="rubrics")


def test_threads_with_every_word_rank_above_threads_with_some(client, community):
    every = ThreadFactory(community=community, title="Scratch offline", body="It runs on tablets.")
    every.created_at = timezone.now() - timedelta(days=30)
    every.save()
    # Newer, and with the words in its title, but only two of three.
    ThreadFactory(community=community, title="Scratch offline offline scratch", body="Chromebooks.")
    content = section(results(client, q="scratch offline tablets"), "discussions")
    assert content.index("It runs on <mark>tablets</mark>") < content.index("Chromebooks")


def test_quotes_find_a_phrase_and_not_the_words_apart(client, community):
    ThreadFactory(community=community, title="Old tablets in the lab", body="Still useful.")
    ThreadFactory(community=community, title="Tablets that are old", body="Slow.")
    content = results(client, q='"old tablets"')
    assert "Old tablets in the lab" in content
    assert "Tablets that are old" not in content
    assert "for &quot;old tablets&quot;, best first" in content


def test_a_minus_leaves_a_word_out(client, community):
    ThreadFactory(community=community, title="Robots with tablets", body="Fine.")
    ThreadFactory(community=community, title="Robots with laptops", body="Fine.")
    content = results(client, q="robots -tablets")
    assert "Robots with laptops" in content
    assert "Robots with tablets" not in content


def test_matched_words_are_marked_and_the_rest_escaped(client, community):
    ThreadFactory(community=community, title="Markup", body="<b>bold</b> offline tablets")
    content = results(client, q="tablets")
    assert "<mark>tablets</mark>" in content
    assert "<b>bold</b>" not in content


@pytest.mark.parametrize(
    ("typed", "positive", "excluded"),
    [
        ("scratch offline tablets", ("scratch", "offline", "tablets"), ()),
        ('"old tablets" scratch', (("old", "tablets"), "scratch"), ()),
        ('robots -tablets -"old laptops"', ("robots",), ("tablets", ("old", "laptops"))),
        ("block-coding", ("block", "coding"), ()),
        ('" - | ! ( ) & * :', (), ()),
        ("cats OR dogs or fish", ("cats", "dogs", "fish"), ()),
        ('"unclosed phrase', (("unclosed", "phrase"),), ()),
        ('"one"', ("one",), ()),
        ("Loops loops LOOPS", ("Loops",), ()),
        ("nul\x00byte", ("nul", "byte"), ()),
    ],
)
def test_what_people_type_is_read_as_words_phrases_and_exclusions(typed, positive, excluded):
    terms = core_search.parse(typed)
    assert terms.positive == positive
    assert terms.excluded == excluded


# -- did you mean ---------------------------------------------------------------------------


def test_a_misspelling_gets_a_suggestion_from_words_people_wrote(client, community):
    for n in range(3):
        ThreadFactory(community=community, title=f"Students and tablets {n}", body="Our students love it.")
    services.refresh_search_words()
    content = results(client, q="studnets tablets")
    assert "Did you mean" in content
    assert "students tablets</a>?" in content
    assert "q=students+tablets" in content
    # Known words (or their stems) get no suggestion.
    assert "Did you mean" not in results(client, q="student tablet")


def test_a_suggestion_never_comes_from_a_community_the_searcher_may_not_see(client):
    for visibility in (Community.Visibility.MEMBERS, Community.Visibility.HIDDEN):
        secret = CommunityFactory(visibility=visibility)
        for n in range(3):
            ThreadFactory(community=secret, title=f"Layoffs planned {n}", body="Layoffs in spring.")
    services.refresh_search_words()
    client.force_login(UserFactory())
    assert "Did you mean" not in results(client, q="layofs")
    member = MembershipFactory(community=secret).user
    client.force_login(member)
    assert "layoffs</a>?" in results(client, q="layofs")


def test_refreshing_the_word_list_twice_counts_each_reply_once(community):
    from discussions.models import SearchWord

    thread = ThreadFactory(community=community, title="Gradebook", body="gradebook gradebook")
    PostFactory(thread=thread, body="The gradebook again")
    services.refresh_search_words()
    services.refresh_search_words()
    assert SearchWord.objects.get(community=community, word="gradebook").documents == 2
    PostFactory(thread=thread, body="gradebook")
    services.refresh_search_words()
    assert SearchWord.objects.get(community=community, word="gradebook").documents == 3
    services.refresh_search_words(full=True)
    assert SearchWord.objects.get(community=community, word="gradebook").documents == 3


def test_each_word_is_known_once_whichever_communities_wrote_it(community):
    from discussions.models import KnownWord

    for place in (community, CommunityFactory(visibility=Community.Visibility.HIDDEN)):
        ThreadFactory(community=place, title="Gradebook", body="gradebook tips")
    services.refresh_search_words()
    services.refresh_search_words()
    assert list(
        KnownWord.objects.filter(word__in=["gradebook", "tips"]).order_by("word").values_list("word", flat=True)
    ) == [
        "gradebook",
        "tips",
    ]
    services.refresh_search_words(full=True)
    assert KnownWord.objects.filter(word="gradebook").count() == 1


def test_a_suggestion_is_the_most_common_of_the_closest_words_the_searcher_may_see(client, community):
    secret = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    for n in range(2):
        ThreadFactory(community=community, title=f"Grading {n}", body="Grading rubrics.")
    for n in range(5):
        ThreadFactory(community=secret, title=f"Gradint {n}", body="gradint")
    services.refresh_search_words()
    assert "grading</a>?" in results(client, q="gradinq")
    client.force_login(MembershipFactory(community=secret).user)
    assert "gradint</a>?" in results(client, q="gradinq")


# -- every kind of content -------------------------------------------------------------------


def test_resources_activities_and_polls_are_found_grouped_by_kind(client, community):
    ThreadFactory(community=community, title="Robotics club questions")
    ResourceFactory(community=community, title="Robotics rubric", description="A rubric for robotics projects.")
    ActivityFactory(community=community, title="Robotics webinar", description="Show your robots.")
    PollFactory(community=community, question="Is robotics worth the time?")
    content = results(client, q="robotics")
    for kind, title in (
        ("discussions", "Robotics club questions"),
        ("resources", "Robotics rubric"),
        ("activities", "Robotics webinar"),
        ("polls", "Is robotics worth the time?"),
    ):
        assert title in section(content, kind), kind
    assert "4 results for" in content
    assert content.index('id="results-discussions"') < content.index('id="results-resources"')
    assert 'href="#results-polls">Polls (1)' in content


def test_one_kind_alone_is_paged_and_the_others_stay_out(client, community):
    for n in range(25):
        ResourceFactory(community=community, title=f"Fractions sheet {n}")
    ThreadFactory(community=community, title="Fractions thread")
    overview = results(client, q="fractions")
    assert section(overview, "resources").count('<li class="mb-3">') == 5
    assert "All 25 resources" in overview
    only = results(client, q="fractions", type="resources")
    assert "Fractions thread" not in only
    assert section(only, "resources").count('<li class="mb-3">') == 20
    assert "Page 1 of 2" in only
    second = results(client, q="fractions", type="resources", page=2)
    assert section(second, "resources").count('<li class="mb-3">') == 5


def test_only_the_library_and_polls_that_opened_are_found(client, community):
    ResourceFactory(community=community, title="Pending geometry pack", submitted=True)
    ResourceFactory(community=community, title="Rejected geometry pack", status="rejected")
    PollFactory(community=community, question="Geometry next term?", opens_at=timezone.now() + timedelta(days=2))
    client.force_login(MembershipFactory(community=community).user)
    content = results(client, q="geometry")
    assert "geometry pack" not in content
    assert "Geometry next term" not in content
    assert "0 results" in content


CONTENT = {
    "discussions": lambda c: ThreadFactory(community=c, title="Confidential staffing plan"),
    "replies": lambda c: PostFactory(thread=ThreadFactory(community=c, title="Ordinary"), body="confidential staffing"),
    "resources": lambda c: ResourceFactory(community=c, title="Confidential staffing sheet"),
    "activities": lambda c: ActivityFactory(community=c, title="Confidential staffing meeting"),
    "polls": lambda c: PollFactory(community=c, question="Confidential staffing choice?"),
}


@pytest.mark.parametrize("kind", CONTENT)
@pytest.mark.parametrize("visibility", [Community.Visibility.MEMBERS, Community.Visibility.HIDDEN])
def test_members_only_and_hidden_content_of_every_kind_stays_with_members(client, kind, visibility):
    secret = CommunityFactory(visibility=visibility, name="Secret circle")
    CONTENT[kind](secret)
    CommunityFactory()  # a public community the outsider may search
    for viewer in (None, UserFactory(), MembershipFactory(community=CommunityFactory()).user):
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        content = results(client, q="confidential staffing")
        assert "taffing" not in content.split('id="results')[0].split("</form>")[1].replace("confidential staffing", "")
        assert "Secret circle" not in content
        assert "0 results" in content, kind
    client.force_login(MembershipFactory(community=secret).user)
    content = results(client, q="confidential staffing")
    assert "1 result for" in content
    assert "Secret circle" in content


def test_replies_of_a_hidden_thread_and_deleted_replies_stay_out(client, community):
    hidden = ThreadFactory(community=community, title="Spam", is_hidden=True)
    PostFactory(thread=hidden, body="Cheap gradebooks here")
    PostFactory(thread=ThreadFactory(community=community), body="gradebooks I regret", is_deleted=True)
    PostFactory(thread=ThreadFactory(community=community, title="Fine"), body="Our gradebooks")
    content = results(client, q="gradebooks")
    assert "1 result for" in content
    assert "Cheap" not in content
    assert "regret" not in content


def test_staff_find_everything(client):
    secret = CommunityFactory(visibility=Community.Visibility.HIDDEN)
    ResourceFactory(community=secret, title="Budget spreadsheet")
    client.force_login(UserFactory(is_staff=True))
    assert "Budget spreadsheet" in results(client, q="budget")


def test_author_and_date_filters_apply_to_every_kind(client, community):
    rivera = UserFactory(username="rivera")
    ResourceFactory(community=community, title="Loops poster", submitted_by=rivera)
    ResourceFactory(community=community, title="Loops cards")
    old = ActivityFactory(community=community, title="Loops meetup", organizer=rivera)
    old.created_at = timezone.now() - timedelta(days=400)
    old.save()
    content = results(client, q="loops", author="rivera")
    assert "Loops poster" in content
    assert "Loops cards" not in content
    assert "Loops meetup" in content
    since = (timezone.now() - timedelta(days=30)).date().isoformat()
    content = results(client, q="loops", author="rivera", since=since)
    assert "Loops poster" in content
    assert "Loops meetup" not in content


def test_a_kind_of_discussion_narrows_to_discussions(client, community):
    ThreadFactory(community=community, title="Loops success", kind="success")
    ResourceFactory(community=community, title="Loops handout")
    content = results(client, q="loops", kind="success")
    assert "Loops success" in content
    assert "Loops handout" not in content


# -- queries ----------------------------------------------------------------------------------


def _fill(community, n):
    for i in range(n):
        thread = ThreadFactory(community=community, title=f"Club {i}", body="We built robots.")
        PostFactory(thread=thread, body="robots again")
        ResourceFactory(community=community, title=f"Robots kit {i}")
        ActivityFactory(community=community, title=f"Robots day {i}")
        PollFactory(community=community, question=f"Robots or not {i}?")


# Anonymous: the communities (scope and filter), a savepoint (tests run inside a transaction),
# the planner settings, 2 for discussions (the newest matches of openings and of replies in one
# statement, core.search.newest_matches_together, and the page's hits of both in one:
# discussions.selectors._hits_postgres), 2 per other kind, "Did you mean", the release.
ANONYMOUS_QUERIES = 1 + 2 + 2 + 3 * 2 + 1 + 1
MEMBER_QUERIES = ANONYMOUS_QUERIES + 3  # the session, the user and the bell's count


@pytest.mark.parametrize("rows", [3, 60])
def test_search_page_runs_the_same_queries_with_3_or_60_rows_of_each_kind(
    client, community, rows, assert_num_queries_exact
):
    _fill(community, rows)
    client.get("/search/?q=robots")  # warm: ContentTypes, site
    with assert_num_queries_exact(ANONYMOUS_QUERIES):
        content = results(client, q="robots")
    assert section(content, "discussions").count('<li class="mb-3">') == min(2 * rows, 20)
    assert section(content, "polls").count('<li class="mb-3">') == min(rows, 5)
    client.force_login(MembershipFactory(community=community).user)
    with assert_num_queries_exact(MEMBER_QUERIES):
        results(client, q="robots")
    with assert_num_queries_exact(MEMBER_QUERIES):
        results(client, q="robots", community=community.slug)


def test_one_kind_alone_runs_its_own_queries_only(client, community, assert_num_queries_exact):
    _fill(community, 30)
    client.get("/search/?q=robots")
    with assert_num_queries_exact(1 + 2 + 2 + 1 + 1):
        content = results(client, q="robots", type="activities")
    assert section(content, "activities").count('<li class="mb-3">') == 20


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"q": ""},
        {"q": "   "},
        {"q": '" - | !'},
        {"q": "-robots"},
        {"q": "x" * 10_000},
        {"q": "robots", "page": "abc"},
        {"q": "robots", "page": "99999"},
        {"q": "robots", "focus_area": "1 OR 1=1"},
    ],
)
def test_odd_search_input_gets_an_answer_never_an_error(client, community, params):
    ThreadFactory(community=community, title="Robots")
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert b"Results" in response.content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 10_001}, "The search is too long"),
        ({"q": "robots", "since": "0001-01-01"}, "Pick a date between 1970 and 2200."),
        ({"q": "robots", "until": "9999-12-31"}, "Pick a date between 1970 and 2200."),
        ({"q": "robots", "since": "2026-13-45"}, "Enter a valid date."),
        ({"q": "robots", "since": "2026-05-01", "until": "2026-04-01"}, "must be on or after"),
        ({"q": "robots", "type": "secrets"}, "Pick one of the kinds in the list."),
        ({"q": "robots", "community": "no-such-place"}, "Pick one of the communities in the list."),
        ({"q": "robots", "kind": "gossip"}, "Pick one of the kinds in the list."),
        ({"q": "robots", "author": "a" * 151}, "at most 150 characters"),
    ],
)
def test_bad_search_input_is_refused_with_a_message_and_kept(client, community, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    if params["q"] == "robots":
        assert 'value="robots"' in content


def test_a_nul_character_is_refused_before_search_reads_it(client, community):
    response = client.get("/search/", {"q": "a\x00b robots"})
    assert response.status_code == 400


def test_a_hidden_community_slug_is_refused_like_an_unknown_one(client):
    secret = CommunityFactory(visibility=Community.Visibility.HIDDEN)
    ThreadFactory(community=secret, title="Robots in secret")
    client.force_login(UserFactory())
    response = client.get("/search/", {"q": "robots", "community": secret.slug})
    assert response.status_code == 400
    assert b"Robots in secret" not in response.content
