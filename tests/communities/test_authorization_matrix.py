"""The authorization matrix (tests/matrix.py): one test per URL and kind of community.

Each (URL, visibility) pair is its own test, so xdist spreads the ~150 of them over every
worker instead of one worker spending minutes on a single test. Within a test every role asks
in turn, GETs twice, so a page cached for one role is tried on every other.
"""

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from communities.models import Community
from tests.factories import CommunityFactory, MembershipFactory
from tests.matrix import ROLES, SECRET_MARKER, VISIBILITIES, all_rules, is_allowed, make_viewer

COMMUNITY_PREFIX = "c/<slug:slug>/"
RULES = all_rules()


def community_url_names():
    names = set()

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                walk(entry.url_patterns, route, ns)
            elif isinstance(entry, URLPattern) and route.startswith(COMMUNITY_PREFIX) and entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "", None)
    return names


def test_every_community_url_has_a_rule():
    missing = sorted(community_url_names() - set(RULES))
    assert not missing, f"URLs under /c/<slug>/ with no authorization rule: {missing}"


def expected_ok(rule, visibility, role, status, location):
    if rule.expect is not None:
        return status in rule.expect(visibility, role)
    if visibility == "hidden" and role in ("anonymous", "outsider", "requester"):
        return status == 404
    if is_allowed(visibility, role, rule.need):
        return status < 500 and status not in (401, 403, 404, 405)
    if role == "anonymous":
        return status == 302 and "/accounts/login/" in location
    return status == 403


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A community of each visibility, its author and a viewer in every role, made once per test process.

    They are made in a transaction kept open for the module; each test runs in a savepoint inside
    it (pytest-django's own), so whatever a test changes is undone before the next one, and the
    cache is emptied around every test (conftest), so no page cached by one test reaches another.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            found = {}
            for visibility in VISIBILITIES:
                community = CommunityFactory(
                    name=f"Matrix {visibility} community",
                    visibility=visibility,
                    join_policy=(
                        Community.JoinPolicy.INVITATION if visibility == "hidden" else Community.JoinPolicy.REQUEST
                    ),
                )
                author = MembershipFactory(community=community).user
                found[visibility] = (community.pk, author, {role: make_viewer(role, community) for role in ROLES})
            yield found
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.page_cache
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("url_name", sorted(RULES))
def test_authorization_matrix(world, client, url_name, visibility, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rule = RULES[url_name]
    community_id, author, viewers = world[visibility]
    community = Community.objects.get(pk=community_id)  # fresh: an earlier test may have changed it, then undone
    url = reverse(url_name, kwargs={"slug": community.slug, **rule.kwargs(community, author)})
    data = urlencode(rule.data, doseq=True)
    failures = []
    for role in ROLES:
        viewer = viewers[role]
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        response = client.generic(rule.method, url, data=data, content_type="application/x-www-form-urlencoded")
        if rule.method == "GET":
            response = client.generic(rule.method, url, data=data, content_type="application/x-www-form-urlencoded")
        status = response.status_code
        body = b"" if getattr(response, "streaming", False) else response.content
        location = response.get("Location", "")
        if not expected_ok(rule, visibility, role, status, location):
            failures.append(f"{rule.method} {url} ({url_name}) as {role}: got {status} {location}")
        allowed = rule.expect is None and is_allowed(visibility, role, rule.need)
        if not allowed and status != 200 and SECRET_MARKER.encode() in body:
            failures.append(f"{url} as {role}: members-only content leaked in a {status} response")
        hidden_outsider = visibility == "hidden" and role in ("anonymous", "outsider", "requester")
        if hidden_outsider and community.name.encode() in body:
            failures.append(f"{url} as {role}: the hidden community's name leaked")
    assert not failures, "\n".join(failures)
