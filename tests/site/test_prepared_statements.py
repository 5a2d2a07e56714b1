"""Prepared statements (cop_site/settings.py): off by default, because PostgreSQL's generic plans
for the ORM's parameters can be far slower; DB_PREPARE_THRESHOLD turns them on."""

import json

import pytest
from django.db import connection

from core.signals import PREPARED_PER_CONNECTION
from tests.processes import run_python

pytestmark = pytest.mark.django_db(transaction=True)

# Run the same ORM lookup with six different values; print what PostgreSQL holds prepared for it.
CHILD = """
import json, django
django.setup()
from django.db import connection
from communities.models import Community
for n in range(6):
    list(Community.objects.filter(slug=f"slug-{n}").values_list("pk", flat=True))
with connection.cursor() as cursor:
    cursor.execute("SELECT statement FROM pg_prepared_statements")
    statements = [row[0] for row in cursor.fetchall()]
print(json.dumps({
    "prepared": [s for s in statements if '"communities_community"."slug" = $1' in s],
    "prepared_max": connection.connection.prepared_max,
}))
"""


def run_child(**env):
    out = run_python(CHILD, env={"DJANGO_SETTINGS_MODULE": "cop_site.settings", **env})
    return json.loads(out.strip().splitlines()[-1])


def test_statements_are_not_prepared_by_default():
    assert not connection.settings_dict["OPTIONS"].get("server_side_binding")
    assert run_child(DB_PREPARE_THRESHOLD="0")["prepared"] == []


def test_the_threshold_prepares_a_statement_once_for_every_value():
    seen = run_child(DB_PREPARE_THRESHOLD="5")
    # Prepared once, with the value a parameter: every later slug reuses it.
    assert len(seen["prepared"]) == 1
    assert seen["prepared_max"] == PREPARED_PER_CONNECTION > 100
