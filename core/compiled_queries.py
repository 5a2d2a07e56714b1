"""Querysets of fixed shape compiled to SQL once per process, then run with new values (issue 19).

Building a queryset and compiling it costs far more CPU than running it: on the thread page each
query took 1-4 ms of ORM work (filters, joins, select_related, subqueries) against a few tenths of
a millisecond to send and read. ``compile_query(build, "thread", "viewer")`` calls ``build`` once
with a distinct stand-in integer for each name (``GHOSTS``: ids no row has), compiles the queryset
and notes where each stand-in sits in the parameters. ``run(thread=5, viewer=9)`` then sends the
same SQL with the real values in those places and turns the rows into model instances as the
queryset would (``select_related`` objects, annotations, the database's converters, deferred
fields), with no ORM work but building the instances. Those are built as ``Model.from_db`` builds
them but without ``__init__``'s per-field work (its values set straight into the instance's
``__dict__``, as ``__init__`` leaves them) when nothing listens to the model's init signals; a
reply and its author cost about 3 µs instead of 15.

Only plain values may vary: a value that changes the SQL itself (a slice, a list of ids, an
ordering) is part of what is compiled, so callers keep one compiled query per such shape.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.query import get_related_populators

GHOSTS = tuple(-7_301_517 - n for n in range(8))  # ids no row has (ids are positive)


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]  # for each name, where its stand-in sits in params
    using: str
    model: type[Model]
    init_list: tuple[str, ...]
    fields_start: int
    fields_end: int
    col_count: int
    converters: Any
    apply_converters: Any
    related_populators: Any
    annotation_col_map: dict[str, int]

    def rows(self, **values) -> list:
        """The raw rows (converted as the ORM converts them) for ``values``."""
        params = list(self.params)
        for name, slots in self.slots.items():
            value = values[name]
            for slot in slots:
                params[slot] = value
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.apply_converters(rows, self.converters))
        return rows

    def run(self, **values) -> list:
        """Model instances, as iterating the compiled queryset with ``values`` in place would give."""
        out = []
        model, using, init_list = self.model, self.using, self.init_list
        start, end = self.fields_start, self.fields_end
        populators, annotations = self.related_populators, self.annotation_col_map
        build = _builder(model)
        for row in self.rows(**values):
            obj = build(model, using, init_list, row[start:end])
            for populator in populators:
                _populate(populator, row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            out.append(obj)
        return out


def _instance(model, using, attnames, values):
    """What ``model.from_db(using, attnames, values)`` returns, for a model whose init signals nobody hears."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames, values, strict=True))
    state = obj._state = ModelState()
    state.adding = False
    state.db = using
    return obj


def _from_db(model, using, attnames, values):
    return model.from_db(using, attnames, values)


def _builder(model):
    heard = signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    return _from_db if heard else _instance


def _populate(populator, row, from_obj):
    """django.db.models.query.RelatedPopulator.populate, building the instance as ``run`` does."""
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


def compile_query(build, *names: str) -> CompiledQuery:
    """``build(**{name: stand_in})`` (a model queryset) compiled once; ``names`` are the values that vary."""
    if len(names) > len(GHOSTS):
        raise ValueError("too many values to vary")
    ghosts = dict(zip(names, GHOSTS, strict=False))
    queryset: QuerySet = build(**ghosts)
    if queryset._prefetch_related_lookups or queryset._known_related_objects:
        raise ValueError("only plain and select_related querysets compile")
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    slots = {name: tuple(i for i, value in enumerate(params) if value == ghost) for name, ghost in ghosts.items()}
    # Each stand-in must be a parameter (never written into the SQL) and found where it was put.
    if any(not found for found in slots.values()) or any(str(ghost) in sql for ghost in ghosts.values()):
        raise ValueError("a stand-in value is not (only) in the parameters")
    klass_info, select = compiler.klass_info, compiler.select
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    fields = [column[0] for column in select[: compiler.col_count]]
    return CompiledQuery(
        sql=sql,
        params=tuple(params),
        slots=slots,
        using=queryset.db,
        model=klass_info["model"],
        init_list=tuple(column[0].target.attname for column in select[start:end]),
        fields_start=start,
        fields_end=end,
        col_count=compiler.col_count,
        converters=compiler.get_converters(fields),
        apply_converters=compiler.apply_converters,
        related_populators=get_related_populators(klass_info, select, queryset.db),
        annotation_col_map=dict(compiler.annotation_col_map or {}),
    )
