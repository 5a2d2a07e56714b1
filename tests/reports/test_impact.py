import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from resources.models import Resource
from tests.discussions.factories import ThreadFactory
from tests.factories import MembershipFactory
from tests.reports.seed import PERIOD, at, seed_known_community

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    seeded = seed_known_community()
    ThreadFactory(
        community=seeded.community, kind="lesson", title="What the number talks taught us", created_at=at(10, 6)
    )
    ThreadFactory(community=seeded.community, title="Fraction strips work", helpful_count=4, created_at=at(9, 8))
    return seeded


def test_impact_page_has_charter_participation_pulse_and_highlights(client, seeded):
    client.force_login(seeded.moderator)
    response = client.get(f"/c/{seeded.community.slug}/manage/impact/", PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    assert seeded.community.domain in page
    assert "42.9" in page  # active share of the whole community
    assert "Fraction strips work" in page
    assert "What the number talks taught us" in page
    assert Resource.objects.get(status="featured").title in page


def test_impact_pdf_has_the_numbers(client, seeded):
    client.force_login(seeded.moderator)
    response = client.get(f"/c/{seeded.community.slug}/manage/impact.pdf", PERIOD)
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Impact report: Math Coaches" in text
    assert "Whole community 3 2 3 7 42.9" in text
    assert "Fraction strips work" in text


def test_impact_bad_period_and_permissions(client, seeded):
    client.force_login(seeded.moderator)
    url = f"/c/{seeded.community.slug}/manage/impact/"
    assert client.get(url, {"from": "2026-10-01", "to": "2026-09-01"}).status_code == 400
    assert (
        client.get(url.replace("impact/", "impact.pdf"), {"from": "2026-10-01", "to": "2026-09-01"}).status_code == 400
    )
    client.force_login(MembershipFactory(community=seeded.community).user)
    assert client.get(url).status_code == 403


def test_impact_query_count_is_fixed(client, seeded):
    client.force_login(seeded.moderator)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/c/{seeded.community.slug}/manage/impact/", PERIOD)
        return len(ctx)

    few = count()
    for n in range(10):
        ThreadFactory(community=seeded.community, kind="lesson", helpful_count=n + 1, created_at=at(9, 9))
    assert count() == few
