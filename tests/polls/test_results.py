import csv
import io

import pytest
from django.urls import reverse

from polls.models import Poll
from tests.factories import DistrictFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory, add_ballot, page_text

pytestmark = pytest.mark.django_db


def test_member_sees_results_only_after_answering(client, member, poll):
    client.force_login(member)
    assert "Results show once you have answered." in page_text(client.get(poll.get_absolute_url()))
    add_ballot(poll, member, poll.choices.get(label="Yes"))
    text = page_text(client.get(poll.get_absolute_url()))
    assert "Yes your answer 1 · 100.0%" in text


def test_results_after_close_stay_hidden_from_voters_until_then(client, member, community):
    poll = PollFactory(community=community, results_visibility=Poll.ResultsVisibility.AFTER_CLOSE)
    add_ballot(poll, member, poll.choices.first())
    client.force_login(member)
    assert "Results show when the poll closes." in page_text(client.get(poll.get_absolute_url()))


def test_results_show_counts_percentages_and_accessible_bars(client, moderator, community):
    poll = PollFactory(community=community)
    members = [MembershipFactory(community=community).user for _ in range(3)]
    add_ballot(poll, members[0], poll.choices.get(label="Yes"))
    add_ballot(poll, members[1], poll.choices.get(label="Yes"))
    add_ballot(poll, members[2], poll.choices.get(label="No"))
    client.force_login(moderator)
    response = client.get(poll.get_absolute_url())
    text = page_text(response)
    assert "3 of 4 members answered: 75% response rate." in text
    assert "Yes 2 · 66.7%" in text
    assert "No 1 · 33.3%" in text
    html = response.content.decode()
    assert 'role="progressbar"' in html
    assert 'aria-valuenow="66.7"' in html
    assert 'style="width: 66.7%"' in html


def test_scale_results_show_the_average(client, moderator, community):
    poll = PollFactory(community=community, kind=Poll.Kind.SCALE)
    a, b = (MembershipFactory(community=community).user for _ in range(2))
    add_ballot(poll, a, poll.choices.get(position=1))
    add_ballot(poll, b, poll.choices.get(position=4))
    client.force_login(moderator)
    assert "Average agreement: 3.5 out of 5." in page_text(client.get(poll.get_absolute_url()))


def test_leaders_see_the_breakdown_by_district(client, moderator, community):
    poll = PollFactory(community=community)
    north, south = DistrictFactory(name="North USD"), DistrictFactory(name="South SD")
    for district, label in ((north, "Yes"), (north, "No"), (south, "Yes")):
        user = UserFactory(district=district)
        MembershipFactory(community=community, user=user)
        add_ballot(poll, user, poll.choices.get(label=label))
    MembershipFactory(community=community, user=UserFactory(district=south))
    client.force_login(moderator)
    text = page_text(client.get(poll.get_absolute_url()))
    assert "By district" in text
    assert "North USD 2 of 2 (100%) 1 1 0" in text
    assert "South SD 1 of 2 (50%) 1 0 0" in text


def test_members_do_not_see_the_district_breakdown(client, member, poll):
    add_ballot(poll, member, poll.choices.first())
    client.force_login(member)
    assert "By district" not in page_text(client.get(poll.get_absolute_url()))


def test_leader_downloads_named_results_as_csv(client, moderator, community):
    poll = PollFactory(community=community)
    voter = UserFactory(display_name="=HYPERLINK(evil)", district=DistrictFactory(name="North USD"))
    MembershipFactory(community=community, user=voter)
    add_ballot(poll, voter, poll.choices.get(label="Not sure"))
    client.force_login(moderator)
    response = client.get(reverse("polls:export", kwargs={"slug": community.slug, "poll_id": poll.pk}))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Not sure", "1", "100.0"] in rows
    person = next(row for row in rows if row and row[1] == voter.username)
    assert person[0] == "'=HYPERLINK(evil)"  # not run as a formula by a spreadsheet
    assert person[2:4] == ["North USD", "Not sure"]


def test_members_may_not_download_the_csv(client, member, poll):
    client.force_login(member)
    assert (
        client.get(reverse("polls:export", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})).status_code == 403
    )


def test_text_answers_list_for_leaders_with_names_on_named_polls(client, moderator, member, community):
    poll = PollFactory(community=community, kind=Poll.Kind.TEXT)
    add_ballot(poll, member, text="More unplugged ideas <b>please</b>")
    client.force_login(moderator)
    response = client.get(poll.get_absolute_url())
    assert "More unplugged ideas &lt;b&gt;please&lt;/b&gt;" in response.content.decode()
    assert member.name in page_text(response)
