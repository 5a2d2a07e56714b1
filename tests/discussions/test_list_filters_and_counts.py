"""The discussion list's paginator counts come from the kind counts' query and its focus areas from one
query (issue 19): the numbers and the chosen filter must stay what the list shows."""

import pytest
from django.urls import reverse

from tests.discussions.factories import ThreadFactory
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db


def page(client, community, **params):
    response = client.get(reverse("discussions:list", kwargs={"slug": community.slug}), params)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({}, "7 threads"),
        ({"kind": "question"}, "3 threads"),
        ({"sort": "unanswered"}, "2 threads"),
        ({"focus_area": "AREA"}, "1 thread ·"),
        ({"focus_area": "AREA", "kind": "success"}, "0 threads"),
        ({"kind": "no-such-kind"}, "7 threads"),
    ],
)
def test_the_count_above_the_list_is_what_the_filters_keep(client, community, member, params, count):
    area = FocusAreaFactory(community=community, name="Coding & <robots>")
    FocusAreaFactory(community=community, name="Assessment")
    answered = ThreadFactory(community=community, kind="question")
    answered.accepted_post = answered.posts.create(community=community, author=member, body="yes")
    answered.save()
    ThreadFactory.create_batch(2, community=community, kind="question")
    ThreadFactory(community=community, kind="idea", focus_area=area)
    ThreadFactory.create_batch(3, community=community, kind="success")
    ThreadFactory(community=community, kind="success", is_hidden=True)  # not for members
    client.force_login(member)
    params = {k: str(area.pk) if v == "AREA" else v for k, v in params.items()}
    status, html = page(client, community, **params)
    assert status == (400 if params.get("kind") == "no-such-kind" else 200)
    assert count in html
    assert "<li>7 threads</li>" in html
    if "focus_area" in params:
        assert f'<option value="{area.pk}" selected>Coding &amp; &lt;robots&gt;</option>' in html
    else:
        assert '<option value="">All focus areas</option>' in html
    assert html.count("<option value=") == 2 + 1 + 4 + 1 + 5  # focus areas, sorts, kinds
