"""Fixed-shape queries compiled to SQL once per process (issue 19).

Building a queryset and compiling it costs far more CPU than running it: the bell's count of
unread notifications, on every page a member sees, took 2.3 ms to build and compile and 0.4 ms
to run; each of the thread page's queries took 1-4 ms of ORM work against a few tenths of a
millisecond to send and read. ``Compiled`` builds such a queryset for stand-in values (ids no row
has, instants long past), notes where they sit in the parameters, and then runs the same SQL with
each call's values in those places; ``Counted`` does the same for its ``count()``.

The one rule for builders: **every value that can change between calls is a slot.** A value that
comes out the same in both compiling builds but changes later would be frozen into the SQL. The two
builds run under time zones 26 hours apart, so reading the clock, today's date or the current time
zone inside a builder is caught (it is then left to the ORM, see ``Compiled``). A setting, a
translation or a module-level value read inside the builder is *not* caught: pass it as a slot
(``Derived`` when it is worked out from others, as ``today + due_soon_days()``), or key the
compiled statements by it.

On PostgreSQL each compiled statement is also a prepared statement (``settings.DB_PREPARE_COMPILED``,
on by default): PostgreSQL parses and plans it once per connection instead of on every call, which
was most of the SQL time of the homes (planning 8 of 11 ms on the community home). The values that are
not slots (``is_removed = false``, a state, a limit) are written into the prepared SQL as literals, so
the plan PostgreSQL keeps for every later call (its generic plan, made without the slots' values) still
sees them: it can use a partial index such as ``thread_unanswered`` and knows a rare state from a
common one. Plain ORM queries are never prepared (their constants are parameters, and a generic plan
for them can be far slower, see ``DB_PREPARE_THRESHOLD`` in cop_site/settings.py); a compiled statement
whose plan must follow its slots' values (a search, a range whose width varies) is made ``.unprepared()``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet, prefetch_related_objects, signals
from django.db.models.base import ModelState
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators
from django.utils import timezone

_NEVER_BY_COUNT = 2**31
_TIMESTAMPTZ_OID, _TEXT = 1184, 0  # psycopg's timestamptz type and text format (Django's create_cursor)
GHOST_ID = -7_301_517  # an id no row has (ids are positive), found again in the compiled parameters

# The two compiling builds run in these zones (UTC-12 and UTC+14): a builder that reads the clock, today's
# local date or the current time zone gets different values in each, so it is found out, not frozen.
_ZONES = (ZoneInfo("Etc/GMT+12"), ZoneInfo("Pacific/Kiritimati"))


@dataclass(frozen=True)
class Derived:
    """A slot worked out from the others (``lambda values: values["today"] + timedelta(days=3)``): the builder
    computes it itself, so its stand-in must be computed the same way to be found in the parameters."""

    make: Callable[[dict], Any]


class NotFixed(Exception):
    """The queryset's SQL or its other parameters depend on more than its slots: it cannot be compiled once."""


# Django's SQL holds %s for each parameter and %% for a percent sign.
_PLACEHOLDER = re.compile(r"%%|%s")


def _with_literals(sql: str, params: tuple, slots: dict[int, str], literal: Callable[[Any], str]):
    """``sql`` with every parameter that is not a slot written in as ``literal(value)``, and the slots'
    new places among the parameters left."""
    kept: dict[int, str] = {}
    n = 0

    def place(match: re.Match) -> str:
        nonlocal n
        if match.group() == "%%":
            return "%%"
        i, n = n, n + 1
        if i in slots:
            kept[len(kept)] = slots[i]
            return "%s"
        return literal(params[i]).replace("%", "%%")

    written = _PLACEHOLDER.sub(place, sql)
    if n != len(params):
        raise NotFixed("the SQL's placeholders and parameters differ")
    return written, kept


@cache
def _preparing_classes():
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
    from django.db.backends.utils import CursorWrapper

    class Preparing(ServerBindingCursor):
        """Django's server-binding cursor, preparing every statement it runs from the first run."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    class Logged(CursorDebugWrapper):
        """Django's query log for a Preparing cursor: the statement with its values, as for any other (Django
        reads it back from psycopg's last query, which a prepared run does not keep)."""

        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
                return CursorWrapper.execute(self, sql, params)

    return Preparing, Logged


def _preparing_cursor(connection):
    """A cursor of ``connection`` that prepares what it runs, made and wrapped as ``connection.cursor()``
    makes and wraps its own (Django's time zone loader; query logging and counting see it)."""
    preparing, logged = _preparing_classes()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:
            # Django turns psycopg's preparing off (None); its own client-side cursors never prepare,
            # so a threshold no statement reaches leaves them as they were and lets this cursor prepare.
            connection.connection.prepare_threshold = _NEVER_BY_COUNT
        raw = preparing(connection.connection)
        loader = connection.connection.adapters.get_loader(_TIMESTAMPTZ_OID, _TEXT)
        if connection.timezone != loader.timezone:
            from django.db.backends.postgresql.psycopg_any import register_tzloader

            register_tzloader(connection.timezone, raw)
    return logged(raw, connection) if connection.queries_logged else connection.make_cursor(raw)


def statement_cursor(using: str = "default"):
    """A cursor for a fixed statement written by hand and run on every request (the session's read): on
    PostgreSQL it prepares what it runs, as the compiled statements are prepared (its values must be
    ones whose plan does not change with them, say a key), unless DB_PREPARE_COMPILED is off."""
    connection = connections[using]
    if settings.DB_PREPARE_COMPILED and connection.vendor == "postgresql":
        return _preparing_cursor(connection)
    return connection.cursor()


def _stand_in(kind: Any, n: int, round_: int) -> Any:
    """A value no row holds, different for each slot (``n``) and each of the two compiling rounds."""
    if kind is int:
        return GHOST_ID - 1000 * round_ - n
    if kind is datetime:
        return datetime(1900 + round_, 1, 1, 0, 0, n, 7301, tzinfo=UTC)
    if kind is date:
        return date(1900 + round_, 1, 1 + n)
    if kind is str:
        return f"ghost{GHOST_ID}:{round_}:{n}"
    raise TypeError(f"no stand-in for {kind!r}")


def _same(value: Any, stand_in: Any) -> bool:
    return type(value) is type(stand_in) and value == stand_in


def _instance(model, using, attnames, values):
    """What ``model.from_db(using, attnames, values)`` returns, without ``__init__``'s per-field work: the values
    go straight into the instance's ``__dict__``, as ``__init__`` leaves them (a reply and its author cost
    about 3 µs instead of 15). Only for models that keep Django's ``__init__`` and ``from_db``, see _builder."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames, values, strict=True))
    state = obj._state = ModelState()
    state.adding = False
    state.db = using
    return obj


def _from_db(model, using, attnames, values):
    return model.from_db(using, attnames, values)


def _builder(model):
    if (
        model.__init__ is not Model.__init__
        or model.from_db.__func__ is not Model.from_db.__func__
        or signals.pre_init.has_listeners(model)
        or signals.post_init.has_listeners(model)
    ):
        return _from_db
    return _instance


def _populate(populator, row, from_obj):
    """django.db.models.query.RelatedPopulator.populate, building the instance as ``_builder`` says."""
    reorder = populator.reorder_for_init
    data = reorder(row) if reorder else row[populator.cols_start : populator.cols_end]
    if data[populator.pk_idx] is None:
        obj = None
    else:
        model = populator.model_cls
        obj = _builder(model)(model, populator.db, populator.init_list, data)
        for inner in populator.related_populators:
            _populate(inner, row, obj)
    populator.local_setter(from_obj, obj)
    if obj is not None:
        populator.remote_setter(obj, from_obj)


class Compiled:
    """A queryset whose SQL depends only on the values of its slots, compiled once: each call runs that SQL
    with the call's values and builds the rows as the queryset would (models with what ``select_related``
    loads, the annotations and the prefetches, or ``values_list`` tuples).

    ``build(**values)`` makes the queryset; ``slots`` name each value's kind (int, str, datetime, date) or a
    ``Derived``. The builder must read nothing but its arguments (no ``timezone.now()``, no current time
    zone, no setting that may change): it is built twice with different stand-ins under different time
    zones, and anything else that differs, any SQL that differs, a stand-in found nowhere, or a time zone
    written into the SQL, leaves it uncompiled (every call then runs the ORM, as on SQLite, where dates
    are sent as text; ``error`` says why). What else shapes the SQL (a viewer being staff, a limit, an
    offset) is the caller's to key its statements by.
    """

    def __init__(self, build: Callable[..., QuerySet], **slots: Any):
        self.build = build
        self.base = {name: kind for name, kind in slots.items() if not isinstance(kind, Derived)}
        self.derived = {name: kind.make for name, kind in slots.items() if isinstance(kind, Derived)}
        self.frozen: tuple | None = None
        self.prepared: tuple | None = None  # the SQL with its constants written in, and the slots' places
        self.error: str = ""
        try:
            self.frozen = self._freeze()
            sql, params, slots_at, db = self.frozen[:4]
            if connections[db].vendor == "postgresql":
                literal = connections[db].ops.compose_sql
                self.prepared = _with_literals(sql, params, slots_at, lambda value: literal("%s", [value]))
        except NotFixed as error:
            self.error = str(error)

    def unprepared(self) -> "Compiled":
        """This statement, never prepared: for one whose plan must follow its slots' values."""
        self.prepared = None
        return self

    def _all(self, values: dict) -> dict:
        return {**values, **{name: make(values) for name, make in self.derived.items()}}

    def _shaped(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def _compile(self) -> tuple:
        """The queryset and compiler of the first build, its SQL and parameters, and the slots' places."""
        rounds = []
        for round_, zone in zip((1, 2), _ZONES, strict=True):
            values = {name: _stand_in(kind, n, round_) for n, (name, kind) in enumerate(self.base.items())}
            with timezone.override(zone):
                queryset = self._shaped(self.build(**values))
                compiler = queryset.query.get_compiler(using=queryset.db)
                try:
                    sql, params = compiler.as_sql()
                except EmptyResultSet as error:
                    raise NotFixed("the query is empty") from error
                rounds.append((queryset, compiler, sql, tuple(params), self._all(values)))
        (queryset, compiler, sql, params, values), (_qs, _compiler, sql_2, params_2, values_2) = rounds
        if sql != sql_2 or len(params) != len(params_2):
            raise NotFixed("the SQL depends on the values")
        if "AT TIME ZONE" in sql.upper():
            raise NotFixed("the SQL holds a time zone")
        slots: dict[int, str] = {}
        for i, (first, second) in enumerate(zip(params, params_2, strict=True)):
            names = [name for name, value in values.items() if _same(first, value)]
            if names:
                if not _same(second, values_2[names[0]]):
                    raise NotFixed(f"parameter {i} is not the slot {names[0]}")
                slots[i] = names[0]
            elif first != second:
                raise NotFixed(f"parameter {i} depends on something other than the slots")
        if set(slots.values()) != set(values):
            raise NotFixed(f"slots not found in the parameters: {sorted(set(values) - set(slots.values()))}")
        if any(str(value) in sql for value in values.values() if isinstance(value, int | str)):
            raise NotFixed("a stand-in is written into the SQL")
        return queryset, compiler, sql, params, slots

    def _freeze(self) -> tuple:
        queryset, compiler, sql, params, slots = self._compile()
        if queryset._known_related_objects:  # type: ignore[attr-defined]
            raise NotFixed("known related objects are not supported")
        iterable = queryset._iterable_class
        if iterable not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise NotFixed(f"{iterable.__name__} is not supported")
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        shape: tuple = ()
        if iterable is ModelIterable:
            select, klass_info = compiler.select, compiler.klass_info
            first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            init_list = [column[0].target.attname for column in select[first:last]]
            populators = get_related_populators(klass_info, select, queryset.db)  # type: ignore[call-arg] # 5.2's
            annotations = tuple(compiler.annotation_col_map.items())
            shape = (klass_info["model"], first, last, init_list, populators, annotations)
        cut = compiler.col_count if compiler.has_extra_select else None
        prefetch = tuple(queryset._prefetch_related_lookups)  # type: ignore[attr-defined]
        return (sql, params, slots, queryset.db, compiler, converters, cut, iterable, shape, prefetch)

    def _fetch(self, sql: str, params: tuple, slots: dict[int, str], db: str, values: dict) -> list:
        full = self._all(values) if self.derived else values
        if self.prepared is not None and settings.DB_PREPARE_COMPILED:
            sql, slots = self.prepared
            with _preparing_cursor(connections[db]) as cursor:
                cursor.execute(sql, [full[name] for name in slots.values()])
                return cursor.fetchall()
        sent = list(params)
        for i, name in slots.items():
            sent[i] = full[name]
        with connections[db].cursor() as cursor:
            cursor.execute(sql, sent)
            return cursor.fetchall()

    def __call__(self, **values: Any) -> list:
        if self.frozen is None:
            return list(self.build(**values))
        sql, params, slots, db, compiler, converters, cut, iterable, shape, prefetch = self.frozen
        rows: Any = self._fetch(sql, params, slots, db, values)
        if cut is not None:
            rows = [row[:cut] for row in rows]
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        if iterable is FlatValuesListIterable:
            return [row[0] for row in rows]
        if iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        model, first, last, init_list, populators, annotations = shape
        build = _builder(model)
        found = []
        for row in rows:
            instance = build(model, db, init_list, row[first:last])
            for populator in populators:
                _populate(populator, row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        if prefetch and found:
            prefetch_related_objects(found, *prefetch)
        return found


class Counted(Compiled):
    """``build(**values).count()``, compiled once as Compiled compiles the rows (``SELECT COUNT(*)`` of the
    queryset's ids, so a slice caps the count): each call returns the number."""

    def _shaped(self, queryset: QuerySet) -> QuerySet:
        return queryset.values("pk")

    def _freeze(self) -> tuple:
        queryset, _compiler, sql, params, slots = self._compile()
        counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608 - the ORM's own SQL, values in params
        return (counted, params, slots, queryset.db)

    def __call__(self, **values: Any) -> int:  # type: ignore[override]
        if self.frozen is None:
            return self.build(**values).count()
        return self._fetch(*self.frozen, values)[0][0]


def prefetched(instance: Model, name: str, rows: list) -> None:
    """Leave ``instance`` as ``prefetch_related(name)`` leaves it, with ``rows`` (say, from a Compiled) as the
    objects of its reverse foreign key ``name``, each linked back to ``instance``: ``instance.<name>.all()``
    then gives them with no query, as after Django's own prefetch."""
    manager = getattr(instance, name)
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    field = manager.field
    for row in rows:
        field.set_cached_value(row, instance)
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    instance._prefetched_objects_cache[field.remote_field.cache_name] = queryset  # type: ignore[attr-defined]
