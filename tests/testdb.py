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
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(connection, test_name)}")
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
