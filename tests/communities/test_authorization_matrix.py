from importlib import import_module

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from communities.models import Community, JoinRequest
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.matrix import ROLES, SECRET_MARKER, VISIBILITIES, is_allowed

RULE_MODULES = [
    "tests.communities.url_rules",
    "tests.discussions.url_rules",
    "tests.resources.url_rules",
    "tests.calendar_app.url_rules",
    "tests.polls.url_rules",
    "tests.mentoring.url_rules",
    "tests.chats.url_rules",
    "tests.digests.url_rules",
]
COMMUNITY_PREFIX = "c/<slug:slug>/"


def all_rules():
    rules = {}
    for name in RULE_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name):
                raise
            continue
        rules.update(module.RULES)
    return rules


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
    missing = sorted(community_url_names() - set(all_rules()))
    assert not missing, f"URLs under /c/<slug>/ with no authorization rule: {missing}"


def make_viewer(role, community):
    if role == "anonymous":
        return None
    if role == "staff":
        return UserFactory(is_staff=True)
    user = UserFactory()
    if role == "requester":
        JoinRequest.objects.create(community=community, user=user, message="please")
    elif role in ("member", "moderator"):
        MembershipFactory(user=user, community=community, is_moderator=role == "moderator")
    return user


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


@pytest.mark.django_db
@pytest.mark.page_cache
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_authorization_matrix(client, visibility):
    """Every role, every URL; GETs twice, so a page cached for one role is tried on every other."""
    failures = []
    for url_name, rule in sorted(all_rules().items()):
        community = CommunityFactory(
            name=f"Matrix {visibility} {url_name}",
            visibility=visibility,
            join_policy=Community.JoinPolicy.INVITATION if visibility == "hidden" else Community.JoinPolicy.REQUEST,
        )
        author = MembershipFactory(community=community).user
        kwargs = {"slug": community.slug, **rule.kwargs(community, author)}
        url = reverse(url_name, kwargs=kwargs)
        for role in ROLES:
            viewer = make_viewer(role, community)
            client.logout()
            if viewer is not None:
                client.force_login(viewer)
            response = client.generic(rule.method, url, data=_encode(rule.data), content_type=_ctype(rule))
            if rule.method == "GET":
                response = client.generic(rule.method, url, data=_encode(rule.data), content_type=_ctype(rule))
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


def _encode(data):
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def _ctype(rule):
    return "application/x-www-form-urlencoded"
