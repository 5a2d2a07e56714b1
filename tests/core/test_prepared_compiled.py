"""core.compiled on PostgreSQL: each compiled statement is a prepared statement, with the values that are
not slots written into its SQL (so PostgreSQL's generic plan still sees them); DB_PREPARE_COMPILED=False
or ``unprepared()`` runs it as before (issue 19)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Community, Membership
from core.compiled import Compiled, Counted
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _moderators(community, since):
    # Three constants (a boolean, a text with a percent sign, a limit) and two slots.
    return (
        Membership.objects.filter(community_id=community, joined_at__gte=since, is_moderator=False)
        .exclude(user__username__contains="50%")
        .select_related("user")
        .order_by("pk")[:3]
    )


@pytest.fixture
def members():
    community = CommunityFactory()
    rows = [MembershipFactory(community=community) for _ in range(4)]
    MembershipFactory(community=community, is_moderator=True)
    MembershipFactory(community=community, user__username="took-50%-off")
    return community, rows


def test_a_compiled_statement_is_prepared_with_its_constants_written_in(members, django_assert_num_queries):
    community, rows = members
    statement = Compiled(_moderators, community=int, since=timezone.datetime)
    assert statement.prepared is not None, statement.error
    long_ago = timezone.now() - timedelta(days=1)
    for _ in range(8):  # past PostgreSQL's five custom plans, so the generic plan is in use
        with django_assert_num_queries(1):
            found = statement(community=community.pk, since=long_ago)
        assert [(m.pk, m.user.username) for m in found] == [
            (m.pk, m.user.username) for m in _moderators(community.pk, long_ago)
        ]
        assert [m.pk for m in found] == [m.pk for m in rows[:3]]
    other = CommunityFactory()
    assert statement(community=other.pk, since=long_ago) == []
    mine = [s for s in _prepared_statements() if '"communities_membership"."is_moderator"' in s]
    assert len(mine) == 1, mine
    # The slots are parameters; the constants are in the SQL, the percent sign too.
    assert "$2" in mine[0]
    assert "$3" not in mine[0]
    assert "LIKE  E'%50\\\\%%'" in mine[0]  # the text as PostgreSQL reads it: contains "50%"
    assert "LIMIT 3" in mine[0]


def test_a_count_is_prepared_too(members):
    community, _rows = members
    counted = Counted(lambda community: Membership.objects.filter(community_id=community), community=int)
    assert counted.prepared is not None
    assert counted(community=community.pk) == 6
    assert counted(community=community.pk + 1000) == 0
    assert any("SELECT COUNT(*) FROM (" in s for s in _prepared_statements())


@override_settings(DB_PREPARE_COMPILED=False)
def test_the_setting_turns_preparing_off(members):
    community, _rows = members
    statement = Compiled(lambda community: Community.objects.filter(pk=community), community=int)
    assert [c.pk for c in statement(community=community.pk)] == [community.pk]
    assert not [s for s in _prepared_statements() if '"communities_community"."id" = $1' in s]


def test_an_unprepared_statement_is_never_prepared(members):
    community, _rows = members
    statement = Compiled(lambda community: Community.objects.filter(pk=community), community=int).unprepared()
    for _ in range(3):
        assert [c.pk for c in statement(community=community.pk)] == [community.pk]
    assert not [s for s in _prepared_statements() if '"communities_community"."id" = $1' in s]


def test_prepared_rows_keep_the_time_zone_of_the_orm(members):
    community, rows = members
    statement = Compiled(lambda community: Membership.objects.filter(community_id=community), community=int)
    found = {m.pk: m.joined_at for m in statement(community=community.pk)}
    for m in rows:
        assert found[m.pk] == m.joined_at
        assert found[m.pk].utcoffset() == timedelta(0)


def test_the_query_log_shows_a_prepared_statement_with_its_values(members):
    community, _rows = members
    statement = Compiled(lambda community: Community.objects.filter(pk=community), community=int)
    with CaptureQueriesContext(connection) as captured:
        statement(community=community.pk)
        statement(community=community.pk)
    logged = [q["sql"] for q in captured.captured_queries]
    assert len(logged) == 2
    for sql in logged:
        assert sql.startswith('SELECT "communities_community"."id"')
        assert f'WHERE "communities_community"."id" = {community.pk}' in sql


def test_a_members_session_is_read_by_a_prepared_statement(client, members):
    _community, rows = members
    client.force_login(rows[0].user)
    assert client.get("/").status_code == 200
    assert client.get("/").context["user"] == rows[0].user
    reads = [s for s in _prepared_statements() if 'FROM "django_session"' in s]
    assert len(reads) == 1, reads
    assert '"session_key" = $1 AND "expire_date" > $2' in reads[0]
