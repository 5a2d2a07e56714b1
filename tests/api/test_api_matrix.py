"""The authorization matrix over the API: every endpoint, every kind of community and viewer.

Expected answers are written here from tests/matrix.py's table, independently of communities.permissions:
a hidden community is a 404 (its name nowhere) to outsiders; allowed is a 2xx; denied is a 401 or 403
that never carries members-only text; and lists never count what the viewer may not see.
"""

from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from api import tokens
from communities.models import Community
from notifications import kinds
from notifications.models import Notification
from polls.models import Poll
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory
from tests.matrix import ROLES, SECRET_MARKER, VISIBILITIES, is_allowed, make_viewer
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Rule:
    need: str
    path: str
    method: str = "get"
    data: dict = field(default_factory=dict)
    members_only_write: bool = False  # staff read but do not vote


RULES = [
    Rule("view", ""),
    Rule("see", "members/"),
    Rule("see", "threads/"),
    Rule("see", "threads/{thread}/"),
    Rule("see", "threads/{thread}/posts/"),
    Rule("see", "resources/"),
    Rule("see", "resources/{resource}/"),
    Rule("see", "activities/"),
    Rule("see", "activities/{activity}/"),
    Rule("see", "occurrences/"),
    Rule("see", "polls/"),
    Rule("see", "polls/{poll}/"),
    Rule("see", "polls/{poll}/results/"),
    Rule("post", "threads/", "post", {"title": "Hello", "body": "A new question"}),
    Rule("post", "threads/{thread}/posts/", "post", {"body": "A reply"}),
    Rule("post", "posts/{post}/helpful/", "put"),
    Rule("post", "resources/", "post", {"title": "Cards", "kind": "link", "url": "https://example.org/cards"}),
    Rule("post", "activities/{activity}/rsvp/", "post", {"response": "going"}),
    Rule("post", "polls/{poll}/vote/", "post", {"choices": ["{choice}"]}, members_only_write=True),
    Rule(
        "manage",
        "members/{membership}/roles/",
        "put",
        {"is_moderator": False, "is_district_leader": True, "is_mentor": False},
    ),
    Rule("manage", "webhooks/"),
]


def world(visibility):
    community = CommunityFactory(
        name=f"Matrix {visibility}",
        visibility=visibility,
        join_policy=Community.JoinPolicy.INVITATION if visibility == "hidden" else Community.JoinPolicy.REQUEST,
    )
    author = MembershipFactory(community=community).user
    MembershipFactory(community=community, is_moderator=True)
    thread = ThreadFactory(community=community, author=author, title=f"Thread {SECRET_MARKER}")
    poll = PollFactory(
        community=community, question=f"Poll {SECRET_MARKER}", results_visibility=Poll.ResultsVisibility.ALWAYS
    )
    return community, {
        "thread": thread.pk,
        "post": PostFactory(thread=thread, author=author, body=SECRET_MARKER).pk,
        "resource": ResourceFactory(community=community, title=f"Resource {SECRET_MARKER}").pk,
        "activity": ActivityFactory(community=community, title=f"Activity {SECRET_MARKER}").pk,
        "poll": poll.pk,
        "choice": poll.choices.first().pk,
        "membership": community.memberships.get(user=author).pk,
    }


def fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, list):
        return [int(fill(v, ids)) if isinstance(v, str) and v.startswith("{") else v for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def expected_ok(rule, visibility, role, status):
    if visibility == "hidden" and role in ("anonymous", "outsider", "requester"):
        return status == 404
    allowed = is_allowed(visibility, role, rule.need) and not (rule.members_only_write and role == "staff")
    if allowed:
        return 200 <= status < 300
    return status in (401, 403)


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_api_authorization_matrix(visibility, settings):
    settings.POST_RATE_LIMIT = ""
    community, ids = world(visibility)
    failures = []
    for role in ROLES:
        viewer = make_viewer(role, community)
        client = APIClient()
        if viewer is not None:
            secret = tokens.create_token(user=viewer, name="matrix", scope="write")[1]
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for rule in RULES:
            url = f"/api/v1/communities/{community.slug}/{fill(rule.path, ids)}"
            response = getattr(client, rule.method)(url, fill(rule.data, ids), format="json")
            status, body = response.status_code, response.content
            if not expected_ok(rule, visibility, role, status):
                failures.append(f"{rule.method.upper()} {url} as {role}: got {status} {body[:200]!r}")
            if status >= 400 and SECRET_MARKER.encode() in body:
                failures.append(f"{url} as {role}: members-only content in a {status}")
            hidden_outsider = visibility == "hidden" and role in ("anonymous", "outsider", "requester")
            if hidden_outsider and community.name.encode() in body:
                failures.append(f"{url} as {role}: the hidden community's name leaked")
        listed = client.get("/api/v1/communities/?page_size=100").content
        should_list = visibility != "hidden" or role in ("member", "moderator", "staff")
        if (community.name.encode() in listed) != should_list:
            failures.append(f"community list as {role}: listed={not should_list}")
        needs = client.get("/api/v1/me/needs/").content
        if role not in ("member", "moderator") and SECRET_MARKER.encode() in needs:
            failures.append(f"what needs me as {role}: members-only content")
        failures += notification_failures(client, viewer, community, visibility, role)
    assert not failures, "\n".join(failures)


def notification_failures(client, viewer, community, visibility, role):
    """A notification about the community (one the viewer got, say, before leaving) shows only while they may
    see the community; otherwise it is not listed, not counted, and marking it read is a 404."""
    if viewer is None:
        statuses = [client.get("/api/v1/me/notifications/").status_code]
        statuses.append(client.post("/api/v1/me/notifications/read-all/").status_code)
        return [f"notifications as anonymous: got {statuses}"] if statuses != [401, 401] else []
    notification = Notification.objects.create(
        recipient=viewer,
        community=community,
        kind=kinds.MENTION,
        url=f"/c/{community.slug}/",
        subject=f"Thread {SECRET_MARKER}",
        event_key=f"matrix:{community.pk}:{viewer.pk}",
    )
    may_see = is_allowed(visibility, role, "see")
    failures = []
    listed = client.get("/api/v1/me/notifications/?unread=true")
    ids = [row["id"] for row in listed.json()["results"]]
    if ids != ([notification.pk] if may_see else []):
        failures.append(f"notifications as {role}: listed {ids}, may see: {may_see}")
    if not may_see and (SECRET_MARKER.encode() in listed.content or community.name.encode() in listed.content):
        failures.append(f"notifications as {role}: leaked what they may not see")
    marked = client.post(f"/api/v1/me/notifications/{notification.pk}/read/")
    if marked.status_code != (200 if may_see else 404):
        failures.append(f"mark read as {role}: got {marked.status_code}")
    if marked.status_code == 404 and SECRET_MARKER.encode() in marked.content:
        failures.append(f"mark read as {role}: the 404 carried the notification")
    return failures
