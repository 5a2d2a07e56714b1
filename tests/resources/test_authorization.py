"""The authorization matrix for the resource URLs alone (the shared matrix test covers all apps)."""

import pytest
from django.urls import reverse

from communities.models import Community
from tests.communities.test_authorization_matrix import _encode, expected_ok, make_viewer
from tests.factories import CommunityFactory, MembershipFactory
from tests.matrix import ROLES, SECRET_MARKER, VISIBILITIES, is_allowed
from tests.resources.url_rules import RULES


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("url_name", sorted(RULES))
def test_resource_url_answers_each_viewer_as_the_rules_say(client, visibility, url_name, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rule = RULES[url_name]
    community = CommunityFactory(
        visibility=visibility,
        join_policy=Community.JoinPolicy.INVITATION if visibility == "hidden" else Community.JoinPolicy.REQUEST,
    )
    author = MembershipFactory(community=community).user
    url = reverse(url_name, kwargs={"slug": community.slug, **rule.kwargs(community, author)})
    failures = []
    for role in ROLES:
        viewer = make_viewer(role, community)
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        response = client.generic(
            rule.method, url, data=_encode(rule.data), content_type="application/x-www-form-urlencoded"
        )
        body = b"" if getattr(response, "streaming", False) else response.content
        if not expected_ok(rule, visibility, role, response.status_code, response.get("Location", "")):
            failures.append(f"{rule.method} {url} as {role}: {response.status_code}")
        if not is_allowed(visibility, role, rule.need) and SECRET_MARKER.encode() in body:
            failures.append(f"{url} as {role}: members-only content leaked")
    assert not failures, "\n".join(failures)
