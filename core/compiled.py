"""Fixed-shape queries compiled to SQL once per process (issue 19).

Building a queryset and compiling it costs far more CPU than running it: the bell's count of
unread notifications, on every page a member sees, took 2.3 ms to build and compile and 0.4 ms
to run. A query whose SQL depends only on a few facts about the viewer (staff or not) and whose
parameters differ only by the viewer's id is compiled once, for a stand-in viewer whose id is
``GHOST_ID``; each request then runs the same SQL with its own id in those places.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators

GHOST_ID = -7_301_517  # an id no row has (ids are positive), found again in the compiled parameters
GHOST_ID_2 = -7_301_518  # a second one, for a query of two ids
GHOST_SLUG = "ghost-slug-7301517"  # a slug no row has (slugs have no such ending in practice; only compared)


@dataclass(frozen=True)
class Statement:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (place in params, which of run()'s values goes there)
    using: str

    def run(self, *values):
        params = list(self.params)
        for slot, which in self.slots:
            params[slot] = values[which]
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            return cursor.fetchall()


def _slots(sql: str, params, ghosts) -> tuple[tuple[int, int], ...]:
    """Where each stand-in is in ``params``; each must be there, and only ever as a parameter."""
    slots = tuple((i, ghosts.index(value)) for i, value in enumerate(params) if value in ghosts)
    if {which for _, which in slots} != set(range(len(ghosts))) or any(str(ghost) in sql for ghost in ghosts):
        raise ValueError("a stand-in is not (only) in the parameters")
    return slots


def count_statement(rows: QuerySet, ghosts=(GHOST_ID,)) -> Statement:
    """``rows.count()`` as a Statement, ``rows`` built for a person with id GHOST_ID."""
    sql, params = rows.values("pk").query.sql_with_params()
    slots = _slots(sql, params, ghosts)
    counted = f"SELECT COUNT(*) FROM ({sql}) AS counted"  # noqa: S608 - the ORM's own SQL, values in params
    return Statement(counted, tuple(params), slots, rows.db)


@dataclass(frozen=True)
class RowStatement:
    """A query for one model's rows whose only variable is an id, compiled once; rows come back as instances."""

    statement: Statement
    model: type
    attnames: tuple[str, ...]

    def instances(self, *values) -> list:
        using = self.statement.using
        return [self.model.from_db(using, self.attnames, row) for row in self.statement.run(*values)]


def rows_statement(rows: QuerySet, ghosts=(GHOST_ID,)) -> RowStatement:
    """``list(rows)`` as a RowStatement, ``rows`` built with ``ghosts`` where ``instances()``'s values go.

    Only for a plain queryset of one model's concrete fields (no select_related, annotations,
    deferred fields or fields whose database values need converting), which is what it checks.
    """
    model = rows.model
    fields = model._meta.concrete_fields
    if rows.query.select_related or rows.query.annotations or rows.query.deferred_loading[0]:
        raise ValueError("only plain querysets of one model's own fields are compiled")
    connection = connections[rows.db]
    if any(field.get_db_converters(connection) for field in fields):
        raise ValueError("a field's database value needs converting")
    attnames = tuple(field.attname for field in fields)
    sql, params = rows.values_list(*attnames).query.sql_with_params()
    return RowStatement(Statement(sql, tuple(params), _slots(sql, params, ghosts), rows.db), model, attnames)


# -- any fixed-shape queryset -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    """A slot worked out from the others (``lambda values: values["today"] + timedelta(days=3)``): the builder
    computes it itself, so its stand-in must be computed the same way to be found in the parameters."""

    make: Callable[[dict], Any]


class NotFixed(Exception):
    """The queryset's SQL or its other parameters depend on more than its slots: it cannot be compiled once."""


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


class Compiled:
    """A queryset whose SQL depends only on the values of its slots, compiled once: each call runs that SQL
    with the call's values and builds the rows as the queryset would (models with what ``select_related``
    loads and the annotations, or ``values_list`` tuples).

    ``build(**values)`` makes the queryset; ``slots`` name each value's kind (int, str, datetime, date) or a
    ``Derived``. The builder must read nothing but its arguments (no ``timezone.now()``, no current time
    zone): it is built twice with different stand-ins, and anything else that differs, any SQL that
    differs, a stand-in found nowhere, or a time zone written into the SQL, leaves it uncompiled (every
    call then runs the ORM, as on SQLite, where dates are sent as text). What else shapes the SQL (a
    viewer being staff, a limit) is the caller's to key its statements by.
    """

    def __init__(self, build: Callable[..., QuerySet], **slots: Any):
        self.build = build
        self.base = {name: kind for name, kind in slots.items() if not isinstance(kind, Derived)}
        self.derived = {name: kind.make for name, kind in slots.items() if isinstance(kind, Derived)}
        self.frozen: tuple | None = None
        self.error: str = ""
        try:
            self.frozen = self._freeze()
        except NotFixed as error:
            self.error = str(error)

    def _all(self, values: dict) -> dict:
        return {**values, **{name: make(values) for name, make in self.derived.items()}}

    def _freeze(self) -> tuple:
        rounds = []
        for round_ in (1, 2):
            values = {name: _stand_in(kind, n, round_) for n, (name, kind) in enumerate(self.base.items())}
            queryset = self.build(**values)
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

    def __call__(self, **values: Any) -> list:
        if self.frozen is None:
            return list(self.build(**values))
        sql, params, slots, db, compiler, converters, cut, iterable, shape, prefetch = self.frozen
        full = self._all(values)
        sent = list(params)
        for i, name in slots.items():
            sent[i] = full[name]
        with connections[db].cursor() as cursor:
            cursor.execute(sql, sent)
            rows: Any = cursor.fetchall()
        if cut is not None:
            rows = [row[:cut] for row in rows]
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        if iterable is FlatValuesListIterable:
            return [row[0] for row in rows]
        if iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        model, first, last, init_list, populators, annotations = shape
        found = []
        for row in rows:
            instance = model.from_db(db, init_list, row[first:last])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        if prefetch and found:
            prefetch_related_objects(found, *prefetch)
        return found
