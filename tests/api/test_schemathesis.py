"""Schemathesis against the generated OpenAPI schema: every operation, as a member, a moderator and anonymously.

Each operation gets a bounded number of generated requests (EXAMPLES) aimed at real objects of one
community, sent in-process through Django's WSGI handler; none may be a server error, and every
response must match the schema (status, content type, body). The counts are printed for the report.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.models import Webhook
from notifications import kinds
from notifications.models import Notification
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import MembershipFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.slow  # long: run first, so no worker waits on it at the end (tests/conftest.py)

EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def in_process_app():
    """Django's WSGI handler, kept from closing the test's database connection between requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_as_member_moderator_and_anonymously(
    in_process_app, community, member, moderator, token_for, settings
):
    settings.API_TOKEN_RATE_LIMIT = ""
    settings.POST_RATE_LIMIT = ""
    author = MembershipFactory(community=community).user
    thread = ThreadFactory(community=community, author=author)
    objects = {
        "slug": community.slug,
        "thread_id": thread.pk,
        "post_id": PostFactory(thread=thread, author=author).pk,
        "resource_id": ResourceFactory(community=community).pk,
        "activity_id": ActivityFactory(community=community).pk,
        "poll_id": PollFactory(community=community).pk,
        "member_id": community.memberships.get(user=member).pk,
        "webhook_id": Webhook.objects.create(community=community, url="https://example.org/hook", secret="s").pk,
        "notification_id": Notification.objects.create(
            recipient=member, community=community, kind=kinds.MENTION, url="/c/x/", event_key="schemathesis"
        ).pk,
    }
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = in_process_app
    headers_of = {
        "member": {"Authorization": f"Bearer {token_for(member)}"},
        "moderator": {"Authorization": f"Bearer {token_for(moderator)}"},
        "anonymous": {},
    }
    operations, counter = 0, [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        params = {p.name: objects[p.name] for p in operation.path_parameters}
        strategy = operation.as_strategy(path_parameters=params)
        for who, headers in headers_of.items():
            run = _runner(strategy, headers, counter)
            try:
                run()
            except Exception as exc:
                exc.add_note(f"{operation.label} as {who}")
                raise
    print(f"\nschemathesis: {operations} operations, {counter[0]} examples, 0 failures")
    assert operations == len([1 for path in raw["paths"].values() for _ in path])
    assert counter[0] >= operations * len(headers_of)


def _runner(strategy, headers, counter):
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        counter[0] += 1
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    return run
