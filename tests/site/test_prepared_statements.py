"""PostgreSQL plans a statement the site runs again and again only once per connection
(cop_site/settings.py: server-side binding with psycopg's prepare_threshold)."""

import pytest
from django.db import connection

from communities.models import Community
from core.signals import PREPARED_PER_CONNECTION

pytestmark = pytest.mark.django_db


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_statement_run_often_is_prepared_on_the_connection():
    def lookup(slug):
        return list(Community.objects.filter(slug=slug).values_list("pk", flat=True))

    lookup("first")
    assert not [s for s in prepared_statements() if '"communities_community"."slug" = $1' in s]
    for n in range(5):
        lookup(f"slug-{n}")
    prepared = [s for s in prepared_statements() if '"communities_community"."slug" = $1' in s]
    # Prepared once, with the value a parameter: every later slug reuses the plan.
    assert len(prepared) == 1


def test_each_connection_keeps_more_statements_than_psycopgs_hundred():
    connection.ensure_connection()
    assert connection.connection.prepared_max == PREPARED_PER_CONNECTION > 100
