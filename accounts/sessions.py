"""Sessions kept in PostgreSQL, read with SQL written once (issue 19).

``SESSION_ENGINE = "accounts.sessions"``: Django's database engine
(``django.contrib.sessions.backends.db``), except that reading the session, on every request a member
makes, runs one fixed statement instead of building and compiling ``Session.objects.get(...)``
(about 0.4 ms of CPU each time), prepared on PostgreSQL (``core.compiled.statement_cursor``). The
database stays the only place a session lives, so ending one (logging out, a password change
elsewhere) can never be undone by a stale cached copy.
"""

from functools import cache

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from core.compiled import statement_cursor


@cache
def _statement(model, using):
    quote = connections[using].ops.quote_name
    table = quote(model._meta.db_table)
    names = ("session_key", "session_data", "expire_date")
    key, data, expires = (quote(model._meta.get_field(name).column) for name in names)
    return f"SELECT {data}, {expires} FROM {table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608 - names from the model


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        session_key = self.session_key
        if session_key is not None:
            using = router.db_for_read(self.model)
            with statement_cursor(using) as cursor:
                cursor.execute(_statement(self.model, using), [session_key, timezone.now()])
                row = cursor.fetchone()
            if row is not None:
                return self.model(session_key=session_key, session_data=row[0], expire_date=row[1])
        self._session_key = None
        return None
