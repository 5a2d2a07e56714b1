"""A district leader reads the health dashboard (desktop and phone), exports a CSV and marks attendance;
a teacher downloads her certificate, which verifies."""

import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from calendar_app.models import RSVP, Attendance
from tests.browser.fixtures import JOURNEYS, journey_shot
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.reports.seed import PERIOD, seed_known_community

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_dashboard_attendance_and_teacher_certificate(open_page, login_as, tmp_path):
    seeded = seed_known_community()
    community = seeded.community
    ana = community.memberships.get(user__username="ana").user
    start = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) - timedelta(days=1)
    session = ActivityFactory(
        community=community, title="Number talks", start=start, end=start + timedelta(hours=1), organizer=seeded.leader
    )
    RSVPFactory(activity=session, user=ana, response=RSVP.Response.GOING)

    # The district leader opens the dashboard on a desktop ...
    page = open_page("desktop")
    login_as(page, seeded.leader)
    page.goto(f"/c/{community.slug}/")
    page.get_by_role("link", name="Health").click()
    page.get_by_label("From", exact=True).fill(PERIOD["from"])
    page.get_by_label("To", exact=True).fill(PERIOD["to"])
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=re.compile("Riverside against the community"))).to_be_visible()
    expect(page.get_by_role("img", name="Active members by district")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Fraction talks")).to_be_visible()
    journey_shot(page, "reports-health-desktop")

    # ... exports a table ...
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download CSV\W+Active members by district")).click()
    saved = tmp_path / "active.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "Whole community,3,2,3,7,42.9" in text
    assert "Riverside,2,1,2,4,50.0" in text
    assert "Lakeview" not in text

    # ... opens the impact report and downloads it as a PDF ...
    page.get_by_role("link", name="Impact report").click()
    expect(page.get_by_role("heading", name="Our charter")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    impact = JOURNEYS / "reports-impact.pdf"
    download.value.save_as(impact)
    assert "42.9" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(impact.read_bytes())).pages)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(impact), str(JOURNEYS / "reports-impact")], check=True)

    # ... and marks who came to yesterday's session, pre-ticked from "going".
    page.goto(session.get_absolute_url())
    page.get_by_role("link", name="Mark attendance").click()
    expect(page.get_by_role("checkbox", name="Ana", exact=True)).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved: 1 person.")).to_be_visible()
    assert Attendance.objects.filter(activity=session, user=ana).exists()

    # The same dashboard on a phone.
    phone = open_page("phone")
    login_as(phone, seeded.leader)
    phone.goto(f"/c/{community.slug}/manage/health/?from={PERIOD['from']}&to={PERIOD['to']}")
    expect(phone.get_by_role("heading", name="Questions by focus area")).to_be_visible()
    journey_shot(phone, "reports-health-phone")

    # The teacher sees the session on her record and downloads her certificate.
    teacher = open_page("desktop")
    login_as(teacher, ana)
    teacher.goto(session.get_absolute_url())
    expect(teacher.get_by_text("You attended.")).to_be_visible()
    teacher.goto("/me/record/")
    expect(teacher.get_by_text("2 sessions attended · 2.5 hours")).to_be_visible()
    journey_shot(teacher, "reports-my-record")
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name=f"Download certificate for {community.name} (PDF)").click()
    pdf = JOURNEYS / "reports-certificate.pdf"
    download.value.save_as(pdf)
    words = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages).split())
    assert "Math Coaches" in words
    assert "2.5 hours" in words
    assert "Number talks" in words
    assert "Fraction talks" in words
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(JOURNEYS / "reports-certificate")], check=True
        )

    # Anyone can follow the printed link.
    link = re.search(r"(/verify/[\w-]+/)", words).group(1)
    visitor = open_page("phone")
    visitor.goto(link)
    expect(visitor.get_by_role("heading", name="Certificate verified")).to_be_visible()
    expect(visitor.get_by_text("Ana", exact=True)).to_be_visible()
    journey_shot(visitor, "reports-verify-phone")
