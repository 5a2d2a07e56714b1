import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.csvexport import safe_cell
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import MembershipFactory, UserFactory
from tests.reports.seed import PERIOD, seed_known_community

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return seed_known_community()


def table(client, seeded, name, user=None):
    client.force_login(user or seeded.moderator)
    response = client.get(f"/c/{seeded.community.slug}/manage/health/{name}.csv", PERIOD)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def rows_by_name(rows):
    return {row[0]: row[1:] for row in rows[1:]}


def test_active_members_by_district_and_month(client, seeded):
    rows = table(client, seeded, "active")
    assert rows[0] == ["District", "Sep 2026", "Oct 2026", "In the period", "Members", "Active %"]
    found = rows_by_name(rows)
    # Sept: Ana, Abe, Bo; Oct: Abe (reply), Bo (thread).
    assert found["Whole community"] == ["3", "2", "3", "7", "42.9"]
    assert found["Riverside"] == ["2", "1", "2", "4", "50.0"]
    assert found["Lakeview"] == ["1", "1", "1", "2", "50.0"]


def test_threads_and_replies_by_kind(client, seeded):
    threads = rows_by_name(table(client, seeded, "threads"))
    assert threads["Question"] == ["2", "0", "2"]
    assert threads["Success"] == ["0", "1", "1"]
    assert threads["Idea or discussion"] == ["0", "0", "0"]
    replies = rows_by_name(table(client, seeded, "replies"))
    assert replies["Question"] == ["1", "0", "1"]
    assert replies["Success"] == ["0", "1", "1"]


def test_questions_per_focus_area_with_medians(client, seeded):
    found = rows_by_name(table(client, seeded, "questions"))
    assert found["Whole community"] == ["2", "1", "1", "1", "2.0", "2.0"]
    assert found["Fractions"] == ["1", "1", "0", "1", "2.0", "2.0"]
    assert found["No focus area"] == ["1", "0", "1", "0", "", ""]


def test_attendance_against_rsvps(client, seeded):
    rows = table(client, seeded, "attendance")
    assert rows[1] == ["Fraction talks", "2026-09-20", "3", "2", "66.7"]


def test_poll_response_rate_and_pulse_by_district(client, seeded):
    rate = rows_by_name(table(client, seeded, "poll_rate"))
    assert rate["Whole community"] == ["1", "2", "7", "28.6"]
    assert rate["Riverside"] == ["1", "1", "4", "25.0"]
    assert rate["Lakeview"] == ["1", "1", "2", "50.0"]
    pulse = table(client, seeded, "pulse")
    assert ["Whole community", "", "3.0", ""] in pulse
    assert ["District", "Riverside", "4.0", ""] in pulse
    assert ["District", "Lakeview", "2.0", ""] in pulse


def test_resources_and_duties(client, seeded):
    assert table(client, seeded, "resources")[1] == ["2", "1", "1", "1"]
    duties = rows_by_name(table(client, seeded, "duties"))
    assert duties["Whole community"] == ["1", "1", "1", "0"]
    assert duties["Riverside"] == ["1", "0", "0", "0"]
    assert duties["Lakeview"] == ["0", "1", "1", "0"]


def test_resources_marked_useful_many_times_still_count_once_each(client, seeded):
    from resources.models import Resource, UsefulMark
    from tests.reports.seed import at

    featured = Resource.objects.get(community=seeded.community, status="featured")
    for person in (seeded.moderator, seeded.leader, seeded.quiet):
        UsefulMark.objects.create(resource=featured, user=person, created_at=at(10, 6))
    UsefulMark.objects.create(resource=featured, user=seeded.lakeview_quiet, created_at=at(11, 6))  # after the period
    # Submitted, approved and featured as before; four marks in the period (the seed's and three).
    assert table(client, seeded, "resources")[1] == ["2", "1", "1", "4"]


def test_members_gone_quiet(client, seeded):
    names = [row[0] for row in table(client, seeded, "quiet")[1:]]
    assert names == ["Lana", "Quinn"]


def test_district_leader_sees_own_district_against_the_community_only(client, seeded):
    active = rows_by_name(table(client, seeded, "active", seeded.leader))
    assert set(active) == {"Whole community", "Riverside"}
    assert active["Whole community"][2] == "3"
    quiet = [row[0] for row in table(client, seeded, "quiet", seeded.leader)[1:]]
    assert quiet == ["Quinn"]
    duties = rows_by_name(table(client, seeded, "duties", seeded.leader))
    assert set(duties) == {"Whole community", "Riverside"}
    client.force_login(seeded.leader)
    page = client.get(f"/c/{seeded.community.slug}/manage/health/", PERIOD).content.decode()
    assert "Riverside against the community" in page
    assert "Lana" not in page
    assert "Lakeview" not in page


def test_who_may_open_the_dashboard(client, seeded):
    url = f"/c/{seeded.community.slug}/manage/health/"
    member = MembershipFactory(community=seeded.community).user
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(seeded.moderator)
    assert client.get(url).status_code == 200
    assert client.get(f"/c/{seeded.community.slug}/manage/health/nothing.csv").status_code == 404


def test_a_period_ending_before_it_starts_is_a_400(client, seeded):
    client.force_login(seeded.moderator)
    response = client.get(f"/c/{seeded.community.slug}/manage/health/", {"from": "2026-10-01", "to": "2026-09-01"})
    assert response.status_code == 400
    assert "ends before it starts" in response.content.decode()
    csv_response = client.get(f"/c/{seeded.community.slug}/manage/health/active.csv", {"from": "x"})
    assert csv_response.status_code == 400


def test_page_shows_charts_with_tables(client, seeded):
    client.force_login(seeded.moderator)
    page = client.get(f"/c/{seeded.community.slug}/manage/health/", PERIOD).content.decode()
    assert page.count('role="img"') >= 3
    assert "<desc id=" in page
    assert "Fraction talks" in page


def test_csv_cells_that_start_a_formula_are_escaped(client, seeded):
    for text in ("=1+1", "+1", "-1", "@SUM(A1)"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Plain") == "Plain"
    assert safe_cell(-3) == -3
    seeded.quiet.display_name = '=HYPERLINK("http://x")'
    seeded.quiet.save()
    body = "\n".join(",".join(r) for r in table(client, seeded, "quiet"))
    assert "'=HYPERLINK" in body


def test_dashboard_query_count_is_fixed_whatever_the_data_size(client, seeded):
    url = f"/c/{seeded.community.slug}/manage/health/"
    client.force_login(seeded.moderator)

    ctx_of_last = []

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, PERIOD).status_code == 200
        ctx_of_last[:] = [ctx.captured_queries]
        return len(ctx)

    count()  # warm: the first request of a session fills caches later ones reuse
    few = count()
    for _n in range(15):
        user = MembershipFactory(community=seeded.community).user
        thread = ThreadFactory(community=seeded.community, author=user)
        PostFactory(thread=thread, author=seeded.moderator)
    assert count() == few
    # 1 statement for every figure of the dashboard (reports/health_sql.py) and 9 for the pulse trend by
    # round (the seed's repeating poll: its 8 and a cheaper random_page_cost for them); 4 for the session,
    # the viewer, the community and their membership, 1 for the charter goals, 1 for the bell, 1 for the
    # tabs' moderation counts
    from tests.queries import format_queries

    assert few == 17, format_queries(ctx_of_last[0])


def test_pulse_trend_by_round_with_one_round(client, seeded):
    rows = table(client, seeded, "pulse_rounds")
    assert rows[0] == ["Group", "Name", "R1 Sep 2026"]
    # Ana 4, Bo 2: each district has one answer, fewer than three, so its figure is withheld.
    assert rows[1:] == [["Whole community", "", "3.0"], ["District", "Lakeview", ""], ["District", "Riverside", ""]]


def test_pulse_trend_by_round_per_district_and_focus_area(client, seeded):
    from accounts.models import User
    from communities.models import FocusArea
    from polls.models import Poll as PollModel
    from tests.polls.factories import PollFactory, add_ballot
    from tests.reports.seed import at

    first = PollModel.objects.get(community=seeded.community, kind=PollModel.Kind.SCALE)
    people = {u.username: u for u in User.objects.filter(memberships__community=seeded.community)}
    fractions = FocusArea.objects.get(community=seeded.community, name="Fractions")
    fractions.followers.add(people["ana"], people["abe"], people["bo"])
    second, third = (
        PollFactory(
            community=seeded.community, kind=PollModel.Kind.SCALE, series=first.series, round=n,
            opens_at=at(10, day), closes_at=at(10, day + 5),
        )
        for n, day in ((2, 2), (3, 20))
    )  # fmt: skip

    def answer(poll, name, value):
        add_ballot(poll, people[name], poll.choices.get(position=value - 1))

    for name, value in (("ana", 5), ("abe", 5), ("quinn", 2), ("bo", 1), ("lana", 1)):
        answer(second, name, value)
    for name in ("ana", "abe", "quinn"):
        answer(third, name, 4)
    rows = table(client, seeded, "pulse_rounds")
    assert rows[0] == ["Group", "Name", "R1 Sep 2026", "R2 Oct 2026", "R3 Oct 2026"]
    assert rows[1:] == [
        ["Whole community", "", "3.0", "2.8", "4.0"],
        ["District", "Lakeview", "", "", ""],
        ["District", "Riverside", "", "4.0", "4.0"],
        ["Focus area", "Fractions", "", "3.67", ""],  # R1 and R3: two followers answered
    ]
    # A district leader sees their own district (and the focus areas) against the community.
    mine = table(client, seeded, "pulse_rounds", seeded.leader)
    assert [row[:2] for row in mine[1:]] == [
        ["Whole community", ""],
        ["District", "Riverside"],
        ["Focus area", "Fractions"],
    ]
    client.force_login(seeded.moderator)
    page = client.get(f"/c/{seeded.community.slug}/manage/health/", PERIOD).content.decode()
    assert 'aria-labelledby="chart-pulse_rounds-title chart-pulse_rounds-desc"' in page
    assert "Pulse trend by round, per district and focus area" in page


def test_pulse_trend_by_round_without_a_repeating_poll(client, seeded):
    from polls.models import Poll as PollModel

    PollModel.objects.filter(community=seeded.community).update(series=None)
    rows = table(client, seeded, "pulse_rounds")
    assert rows == [["Group", "Name"]]


def test_without_a_repeating_poll_every_figure_is_one_statement(client, seeded, assert_num_queries_exact):
    from polls.models import Poll as PollModel

    PollModel.objects.filter(community=seeded.community).update(series=None)
    for _n in range(20):
        user = MembershipFactory(community=seeded.community).user
        PostFactory(thread=ThreadFactory(community=seeded.community, author=user), author=seeded.moderator)
    client.force_login(seeded.moderator)
    url = f"/c/{seeded.community.slug}/manage/health/"
    assert client.get(url, PERIOD).status_code == 200  # warm: the first request of a session fills caches
    # 1 for every figure; 4 for the session, the viewer, the community and their membership, 1 for the
    # charter goals, 1 for the bell, 1 for the tabs' moderation counts
    with assert_num_queries_exact(8):
        assert client.get(url, PERIOD).status_code == 200
