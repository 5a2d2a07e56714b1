"""The test database, migrated once and then copied (PostgreSQL's CREATE DATABASE ... TEMPLATE).

Running 60-odd migrations costs each test process about 20 s of CPU (and PostgreSQL's time on
top). The first process to need the test database migrates it as usual and keeps a copy named
after a digest of every migration file; every other process, in this run and in later runs
while no migration changes, starts from a copy of that in a second. ``migrate`` still runs on
the copy (finding nothing to do, it costs a second or two), so a migration added since the copy
was made is applied, and the post-migrate steps (content types, permissions, the Sites row)
run as before. An advisory lock makes parallel processes wait for the one that migrates.
``pytest --create-db`` throws the kept copy away and migrates afresh. Other databases than
PostgreSQL are set up the ordinary way.
"""

import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.db import connections
from django.test.utils import setup_databases

ROOT = Path(__file__).resolve().parents[1]


def migrations_digest():
    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _quote(connection, name):
    return connection.ops.quote_name(name)


def _copy(cursor, connection, target, source):
    cursor.execute(f"CREATE DATABASE {_quote(connection, target)} TEMPLATE {_quote(connection, source)}")


def setup_from_template(verbosity, aliases, serialized_aliases, recreate=False):
    """``setup_databases``, with the default PostgreSQL database copied from a kept, migrated one."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return setup_databases(verbosity, interactive=False, aliases=aliases, serialized_aliases=serialized_aliases)
    test_name = connection.creation._get_test_db_name()
    prefix = f"test_{settings.DATABASES['default']['NAME']}_tpl_"
    template = f"{prefix}{migrations_digest()}"
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [prefix])
        try:
            if recreate:
                cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, template)}")
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            have_template = cursor.fetchone() is not None
            # A test database left by an interrupted run is never reused: copied afresh or migrated afresh.
            # FORCE: a session such a run left behind (it happened once) must not stop this one.
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, test_name)} WITH (FORCE)")
            if have_template:
                _copy(cursor, connection, test_name, template)
            # keepdb: use the copy just made (or create and migrate a new database); migrate runs either way.
            config = setup_databases(
                verbosity, interactive=False, keepdb=True, aliases=aliases, serialized_aliases=serialized_aliases
            )
            if not have_template:
                like = prefix.replace("_", r"\_") + "%"
                cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [like])
                for (old,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, old)}")
                connection.close()  # CREATE DATABASE ... TEMPLATE needs the source to have no sessions
                _copy(cursor, connection, template, test_name)
        finally:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [prefix])
    return config


# Tables that post_migrate fills (content types, permissions): Django's flush empties them and
# post_migrate writes them again, row by row. Here only the rows a test added go.
_REFILLED = ("django_content_type", "auth_permission")
_baseline = {}


def remember_refilled_rows(connection):
    """Note the highest id of each table post_migrate fills, as migrate left them."""
    with connection.cursor() as cursor:
        for table in _REFILLED:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_quote(connection, table)}")  # noqa: S608 - our table names
            _baseline[table] = cursor.fetchone()[0]


def empty_tables_with_rows(connection):
    """What ``flush`` leaves (every table empty, then post_migrate's rows), at a fraction of its cost.

    ``flush`` truncates all ~100 tables; on PostgreSQL each TRUNCATE makes new files for the table
    and its indexes, which took 4-7 s after every transactional test here. One statement finds the
    tables that hold a row, and those are emptied with DELETE in one transaction (Django's foreign
    keys are DEFERRABLE INITIALLY DEFERRED, so the order does not matter). The Site row is made
    again by the same post_migrate receivers ``flush`` runs (sites' default, core's sync_site).
    """
    from django.apps import apps
    from django.db import transaction
    from django.db.models.signals import post_migrate

    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    probe = " UNION ALL ".join(
        f"SELECT {i} FROM (SELECT 1 FROM {_quote(connection, name)} LIMIT 1) AS t{i}"  # noqa: S608 - model tables
        for i, name in enumerate(tables)
    )
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(probe)
        full = [tables[i] for (i,) in cursor.fetchall()]
        for table in full:
            where = f" WHERE id > {int(_baseline[table])}" if table in _baseline else ""
            cursor.execute(f"DELETE FROM {_quote(connection, table)}{where}")  # noqa: S608 - model tables
    if "django_site" in full:
        for label in ("sites", "core"):
            config = apps.get_app_config(label)
            post_migrate.send(
                sender=config,
                app_config=config,
                verbosity=0,
                interactive=False,
                using=connection.alias,
                apps=apps,
                plan=None,
            )


def patch_transactional_teardown():
    """TransactionTestCase (pytest-django's ``transactional_db``, ``live_server``) empties tables as above."""
    from django.db import connections
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        if self.available_apps is not None or self.serialized_rollback or self.reset_sequences:
            return flush(self)
        for alias in self._databases_names(include_mirrors=False):
            if connections[alias].vendor == "postgresql":
                empty_tables_with_rows(connections[alias])
            else:
                flush(self)
        return None

    TransactionTestCase._fixture_teardown = _fixture_teardown
