"""Issue 15.9: no 500 from bad input anyone can send.

The test walks the whole URLconf (Django's admin aside: its changelists are Django's own
code). For every URL it asks each role (visitor, member, moderator, staff) for the page
once, recording which query parameters the page reads; then it sends each of those
parameters NUL, huge, negative, over-long and out-of-range values, and puts the same kind
of values in each path segment. Any 500 fails the test, listed with its URL and error.
"""

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.functional import cached_property

from calendar_app.services import community_feed_token
from communities.services import invitation_token
from tests.communities.factories import InvitationFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.matrix import all_rules

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "moderator", "staff")
BAD_VALUES = (
    "\x00",
    "9" * 40,
    "-1",
    "x" * 3000,
    "9999-12-31",
    "0001-01-01",
    "9999-12",
    "2026-W99",
    "1e309",
)
BAD_INTS = ("99999999999999999999", "0")
BAD_TEXT = ("\x00", "x" * 3000, "9999-12-31")
SKIPPED_NAMESPACES = ("admin",)

READ = set()


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every parameter name a page asks for."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        READ.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


def _recording_get(request):
    return RecordingQueryDict(request.environ.get("QUERY_STRING", ""), encoding=request._encoding)


def url_patterns():
    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                converters = getattr(entry.pattern, "converters", None) or {}
                if not converters and hasattr(entry.pattern, "regex"):  # re_path: its named groups, as text
                    converters = dict.fromkeys(entry.pattern.regex.groupindex, None)
                found.append((name, prefix + str(entry.pattern), entry.default_args, converters))

    walk(get_resolver().url_patterns, "", None)
    return found


@pytest.fixture
def world():
    community = CommunityFactory(name="Sweep Community", slug="sweep")
    author = MembershipFactory(community=community).user
    people = {
        "member": MembershipFactory(community=community).user,
        "moderator": MembershipFactory(community=community, is_moderator=True).user,
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }
    return community, author, people


def _kwargs_for(name, route, converters, community, author, rules):
    if name in rules:
        return {"slug": community.slug, **rules[name].kwargs(community, author)}
    special = {
        "accounts:profile": lambda: {"username": author.username},
        "communities:invitation": lambda: {"token": invitation_token(InvitationFactory(community=community))},
        "calendar_app:personal_feed": lambda: {"token": author.calendar_feed.token},
    }
    if name in special:
        return special[name]()
    return {key: 1 if type(converter).__name__ == "IntConverter" else "x1" for key, converter in converters.items()}


def _client(role, people):
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(people[role])
    return client


def _get(client, url, params=None):
    READ.clear()
    response = client.get(url, params or {"_": "1"})
    return response, set(READ) - {"_"}


def _problem(response, url, params):
    error = response.exc_info[1] if getattr(response, "exc_info", None) else "500"
    return f"{url} {params!r:.120}: {type(error).__name__}: {str(error)[:200]}"


PATTERNS = {pattern[0]: pattern for pattern in url_patterns()}


def _build(name, world, rules):
    """A community of its own for each URL (the rules' builders make objects with fixed names); the URL's kwargs."""
    _community, author, people = world
    _name, route, defaults, converters = PATTERNS[name]
    community = CommunityFactory()
    MembershipFactory(community=community, user=author)
    MembershipFactory(community=community, user=people["member"])
    MembershipFactory(community=community, user=people["moderator"], is_moderator=True)
    kwargs = _kwargs_for(name, route, converters, community, author, rules)
    return {k: v for k, v in kwargs.items() if k not in defaults}


@pytest.fixture
def recording(monkeypatch):
    prop = cached_property(_recording_get)
    prop.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", prop)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_no_bad_value_in_any_parameter_or_path_segment_gives_a_500(name, world, recording):
    """One test per URL, so xdist spreads the sweep over its workers."""
    _name, _route, defaults, converters = PATTERNS[name]
    kwargs = _build(name, world, all_rules())
    url = reverse(name, kwargs=kwargs)  # a URL the walk cannot build fails here, not skipped
    clients = {role: _client(role, world[2]) for role in ROLES}
    failures = []
    for role, client in clients.items():
        response, read = _get(client, url)
        if response.status_code >= 500:
            failures.append(_problem(response, url, {}))
        for key in sorted(read):
            for value in BAD_VALUES:
                response, _ = _get(client, url, {key: value})
                if response.status_code >= 500:
                    failures.append(f"[{role}] " + _problem(response, url, {key: value}))
    for key, converter in converters.items():
        if key in defaults:
            continue
        for value in BAD_INTS if type(converter).__name__ == "IntConverter" else BAD_TEXT:
            try:
                bad_url = reverse(name, kwargs={**kwargs, key: value})
            except Exception:  # noqa: BLE001, S112 - the converter refuses it: no such URL can be asked for
                continue
            for role in ("anonymous", "staff"):
                response, _ = _get(clients[role], bad_url)
                if response.status_code >= 500:
                    failures.append(f"[{role}] " + _problem(response, bad_url, {}))
    assert not failures, f"{len(failures)} answers of 500:\n" + "\n".join(failures[:60])


# Pages known to read each parameter, and a role that reaches them (found by visiting every URL as every role).
KNOWN_READERS = {
    "q": ("communities:directory", "anonymous"),
    "page": ("communities:members", "member"),
    "since": ("discussions:search", "anonymous"),
    "until": ("discussions:search", "anonymous"),
    "month": ("calendar_app:month", "member"),
    "period": ("digests:preview", "staff"),
    "occurrence": ("calendar_app:activity", "member"),
    "from": ("reports:health", "moderator"),
}


def test_the_sweep_sees_the_parameters_pages_read(world, recording):
    """The recording QueryDict notices the parameters pages read, so the sweep above has values to try."""
    rules = all_rules()
    assert len(PATTERNS) > 100
    for key, (name, role) in KNOWN_READERS.items():
        _response, read = _get(_client(role, world[2]), reverse(name, kwargs=_build(name, world, rules)))
        assert key in read, f"{name} as {role} read {sorted(read)}, not {key!r}"


def test_the_listed_cases_get_a_clear_400(client, world):
    community, _author, people = world
    cases = [
        "/search/?q=loop&until=9999-12-31",
        "/search/?q=loop&since=0001-01-01",
        "/u/%00/",
        "/calendar/%00.ics",
        f"/c/{community.slug}/calendar.ics?token=%00",
    ]
    for url in cases:
        response = client.get(url)
        assert response.status_code in (400, 404), (url, response.status_code)
    client.force_login(people["moderator"])
    assert client.get(f"/c/{community.slug}/manage/roles/?q=%00").status_code == 400
    client.force_login(people["staff"])
    preview = client.get("/digests/preview/?period=9999-12")
    assert preview.status_code == 400
    assert "too far away" in preview.content.decode()


def test_a_poll_closing_in_9999_can_be_repeated(client, world):
    from datetime import UTC, datetime

    from tests.polls.factories import PollFactory

    community, _author, people = world
    poll = PollFactory(community=community, closes_at=datetime(9999, 12, 31, tzinfo=UTC))
    client.force_login(people["moderator"])
    url = reverse("polls:repeat", kwargs={"slug": community.slug, "poll_id": poll.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code in (200, 302, 400)


def test_a_feed_link_built_for_the_sweep_community_works(client, world):
    community, author, _people = world
    token = community_feed_token(user=author, community=community)
    assert client.get(f"/c/{community.slug}/calendar.ics?token={token}").status_code == 200
