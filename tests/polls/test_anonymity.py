"""Anonymous polls keep no link between a person and their answer, for anyone."""

import pytest
from django.db import connection
from django.urls import reverse

from communities.permissions import access_for
from polls.models import Ballot, BallotChoice, SealedAnswer
from polls.sealing import unseal
from polls.selectors import poll_results
from polls.services import close_poll
from tests.polls.factories import PollFactory, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_poll(community, moderator):
    return PollFactory(community=community, created_by=moderator, is_anonymous=True, choices=["Calm", "Stressed"])


def vote(client, user, poll, label):
    client.force_login(user)
    url = reverse("polls:vote", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})
    return client.post(url, {"choice": poll.choices.get(label=label).pk})


def _close_and_mix(poll, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        close_poll(access=access_for(moderator, poll.community), poll=poll)


def test_an_open_polls_answer_is_sealed_and_the_database_alone_cannot_read_it(client, member, anonymous_poll, settings):
    assert vote(client, member, anonymous_poll, "Stressed").status_code == 302
    assert not Ballot.objects.filter(poll=anonymous_poll).exists()
    (sealed,) = SealedAnswer.objects.filter(poll=anonymous_poll).values_list("sealed", flat=True)
    assert "Stressed" not in sealed
    stressed = anonymous_poll.choices.get(label="Stressed").pk
    assert unseal(sealed, poll_id=anonymous_poll.pk) == ([stressed], "")
    settings.SECRET_KEY = "someone-with-only-the-database"
    with pytest.raises(ValueError, match="not a sealed answer"):
        unseal(sealed, poll_id=anonymous_poll.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM polls_sealedanswer")
        assert {c.name for c in cursor.description} == {"id", "poll_id", "sealed"}


def test_results_count_sealed_answers_at_once(client, member, moderator, anonymous_poll):
    vote(client, member, anonymous_poll, "Stressed")
    client.force_login(moderator)
    assert "1 of 2 members answered" in page_text(client.get(anonymous_poll.get_absolute_url()))


def test_closing_writes_ballots_with_no_voter_no_time_and_random_keys(
    client, member, moderator, anonymous_poll, django_capture_on_commit_callbacks
):
    vote(client, member, anonymous_poll, "Calm")
    _close_and_mix(anonymous_poll, moderator, django_capture_on_commit_callbacks)
    assert not SealedAnswer.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM polls_ballot")
        row = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
        cursor.execute("SELECT * FROM polls_ballotchoice")
        pick = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
    assert row["voter_id"] is None
    assert row["updated_at"] is None
    assert len(str(row["id"])) == 36
    assert len(str(pick["id"])) == 36
    assert set(pick) == {"id", "ballot_id", "choice_id"}
    assert BallotChoice.objects.get(ballot__poll=anonymous_poll).choice.label == "Calm"
    client.force_login(moderator)
    assert "1 of 2 members answered" in page_text(client.get(anonymous_poll.get_absolute_url()))


def test_anonymous_answer_cannot_be_cast_twice(client, member, moderator, anonymous_poll):
    vote(client, member, anonymous_poll, "Calm")
    response = vote(client, member, anonymous_poll, "Stressed")
    assert response.status_code == 400
    assert SealedAnswer.objects.filter(poll=anonymous_poll).count() == 1
    results = poll_results(poll=anonymous_poll)
    assert [(row.choice.label, row.count) for row in results.choices] == [("Calm", 1), ("Stressed", 0)]


def test_moderator_sees_counts_but_no_names_on_the_anonymous_poll(client, member, moderator, anonymous_poll):
    member.display_name = "Quentin Quietly"
    member.save()
    vote(client, member, anonymous_poll, "Stressed")
    client.force_login(moderator)
    html = page_text(client.get(anonymous_poll.get_absolute_url()))
    assert "1 of 2 members answered" in html
    assert "Quentin Quietly" not in html
    assert "By district" not in html


def test_anonymous_csv_has_counts_and_no_people(client, member, moderator, anonymous_poll):
    member.display_name = "Quentin Quietly"
    member.save()
    vote(client, member, anonymous_poll, "Stressed")
    client.force_login(moderator)
    url = reverse("polls:export", kwargs={"slug": anonymous_poll.community.slug, "poll_id": anonymous_poll.pk})
    body = client.get(url).content.decode()
    assert "Stressed,1,100.0" in body
    assert "Quentin" not in body
    assert member.username not in body


def test_member_is_told_anonymous_answers_are_final(client, member, anonymous_poll):
    client.force_login(member)
    html = client.get(anonymous_poll.get_absolute_url()).content.decode()
    assert "Anonymous answers are final" in html


def test_a_poll_that_closed_by_its_date_is_mixed_by_the_beat_job(client, member, anonymous_poll):
    from django.utils import timezone

    from polls.tasks import mix_closed_polls

    vote(client, member, anonymous_poll, "Calm")
    assert mix_closed_polls() == 0  # still open: the answer keeps waiting
    type(anonymous_poll).objects.filter(pk=anonymous_poll.pk).update(closes_at=timezone.now())
    assert mix_closed_polls() == 1
    assert not SealedAnswer.objects.exists()
    assert Ballot.objects.filter(poll=anonymous_poll, voter=None).count() == 1
