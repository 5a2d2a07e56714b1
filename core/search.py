"""Search across apps: one reading of what people type, one way to find the newest matches, one slot per kind.

``/search/`` (discussions) shows discussions, resources, activities and polls grouped by
kind, but discussions may not import the apps above it. So each app registers a
*provider* here from its ``AppConfig.ready()`` (like ``core.panels``), and the page asks
:func:`providers` for them.

What people type is read once by :func:`parse` into :class:`Terms`: words, "quoted
phrases" and ``-excluded`` words. A row matches when it contains **any** of the words or
phrases; rows containing **all** of them rank above the rest (tier 1 over tier 0).

PostgreSQL: each table has a ``search_vector`` (``english`` configuration, so "rubrics"
finds "rubric"), filled by a trigger and GIN-indexed. SQLite (the zero-setup demo): an
FTS5 table with the Porter stemmer per registered model, created and kept in sync by
triggers that :func:`ensure_sqlite_fts` installs after every ``migrate``.

:func:`newest_matches` returns the newest ``cap`` matches of a queryset, all-term
matches first, in one query; the caller ranks that small set. Ranking every match of a
common word ("students" is in one post in eight) costs far more than a search may.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter
from typing import NamedTuple

from django.apps import apps
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import FloatField, Q, TextField
from django.db.models.expressions import RawSQL
from django.utils.html import escape

MAX_LENGTH = 200  # characters of the search box that are read
MAX_TERMS = 12
MAX_EXCLUDED = 6
CANDIDATES = 200  # newest matches of each kind that are ranked
CONFIG = "english"
# Marks around highlighted words inside the database; replaced by <mark> after escaping.
_START, _STOP = "\ue000", "\ue001"

_TOKEN = re.compile(r'(?P<neg>(?<!\w)-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>\w+))')
_WORD = re.compile(r"\w+")
# websearch_to_tsquery reads these as operators; they are stop words anyway.
_OPERATOR_WORDS = {"or"}
_TSQUERY = "websearch_to_tsquery(%s::regconfig, %s)"


@dataclass(frozen=True)
class Terms:
    """What to look for: ``positive`` terms (a word, or a phrase as a tuple of words) and ``excluded`` ones."""

    positive: tuple = ()
    excluded: tuple = ()

    def __bool__(self):
        return bool(self.positive)

    @property
    def text(self):
        """The search as it is understood, for headings and links: ``scratch "old tablets" -ipad``."""
        return " ".join([_show(t) for t in self.positive] + [f"-{_show(t)}" for t in self.excluded])

    @property
    def words(self):
        """Every single word of the positive terms, phrases included, each once, in order."""
        seen = []
        for term in self.positive:
            for word in term if isinstance(term, tuple) else (term,):
                if word.lower() not in seen:
                    seen.append(word.lower())
        return seen

    @property
    def has_phrase(self):
        return any(isinstance(t, tuple) for t in self.positive)

    @property
    def is_single(self):
        return len(self.positive) == 1

    # PostgreSQL: websearch_to_tsquery reads quotes as phrases and "-" as NOT. Terms hold
    # only \w characters, so the strings below mean exactly what they say.
    @property
    def all_text(self):
        return " ".join([_show(t) for t in self.positive] + [f"-{_show(t)}" for t in self.excluded])

    @property
    def any_text(self):
        return " or ".join(_show(t) for t in self.positive)

    @property
    def none_text(self):
        return " or ".join(_show(t) for t in self.excluded)

    def all_query(self):
        return SearchQuery(self.all_text, search_type="websearch", config=CONFIG)

    def any_query(self, with_excluded=True):
        query = SearchQuery(self.any_text, search_type="websearch", config=CONFIG)
        if with_excluded and self.excluded:
            query = query & ~SearchQuery(self.none_text, search_type="websearch", config=CONFIG)
        return query

    def pairs_sql(self):
        """The adjacent word pairs the positive phrases need, as a PostgreSQL ``text[]`` of
        ``search_pairs`` (discussions' migration 0014): (sql, params); None without a phrase.

        Each phrase is read alone (one tsvector would make its last word and the next phrase's
        first a pair). Pairs are of stems, as the phrase query reads them; a phrase whose words
        are never next to each other once stop words are gone ("the students") needs none.
        """
        phrases = [" ".join(t) for t in self.positive if isinstance(t, tuple)]
        if not phrases:
            return None
        sql = " || ".join("search_pairs(to_tsvector(%s::regconfig, %s))" for _ in phrases)
        return f"({sql})", [x for phrase in phrases for x in (CONFIG, phrase)]

    def all_sql(self):
        """``all_query`` as SQL for PostgreSQL: (sql, params)."""
        return _TSQUERY, [CONFIG, self.all_text]

    def any_sql(self, with_excluded=True):
        """``any_query`` as SQL for PostgreSQL: (sql, params)."""
        if with_excluded and self.excluded:
            return f"({_TSQUERY} && !!{_TSQUERY})", [CONFIG, self.any_text, CONFIG, self.none_text]
        return _TSQUERY, [CONFIG, self.any_text]

    # SQLite FTS5: every term a quoted string, so FTS5 keywords (AND, NEAR...) stay words.
    def fts_all(self):
        return _fts_with_excluded(" AND ".join(_fts(t) for t in self.positive), self.excluded)

    def fts_any(self):
        return _fts_with_excluded(" OR ".join(_fts(t) for t in self.positive), self.excluded)


def _show(term):
    return f'"{" ".join(term)}"' if isinstance(term, tuple) else term


def _fts(term):
    return '"' + " ".join(term if isinstance(term, tuple) else (term,)) + '"'


def _fts_with_excluded(expression, excluded):
    if not excluded:
        return expression
    return f"({expression}) NOT ({' OR '.join(_fts(t) for t in excluded)})"


def parse(text):
    """Read a search box entry (its first MAX_LENGTH characters): words, "phrases" and -excluded words.

    Punctuation other than quotes and a leading minus is ignored; the same term twice counts once.
    """
    text = (text or "")[:MAX_LENGTH].replace("\x00", " ")
    positive, excluded, seen = [], [], set()
    for match in _TOKEN.finditer(text):
        if match.group("phrase") is not None:
            words = tuple(_WORD.findall(match.group("phrase")))
            if not words:
                continue
            term = words[0] if len(words) == 1 else words
        else:
            term = match.group("word")
            if term.lower() in _OPERATOR_WORDS:
                continue
        key = (bool(match.group("neg")), str(term).lower())
        if key in seen:
            continue
        seen.add(key)
        if match.group("neg"):
            excluded.append(term)
        else:
            positive.append(term)
    return Terms(tuple(positive[:MAX_TERMS]), tuple(excluded[:MAX_EXCLUDED]))


# -- who may see what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The communities a viewer may search, built by ``communities.permissions.search_scope``.

    ``everything``: staff, no filter. Otherwise ``visible`` ids; ``hidden`` are the
    others up to ``max_id``. Filtering on the shorter list keeps the planner from
    reading a community index for a filter that keeps most rows; ``<= max_id`` keeps a
    community created after the scope was built out of the results.
    """

    everything: bool = False
    visible: tuple = ()
    hidden: tuple = ()
    max_id: int = 0
    communities: tuple = ()  # (id, slug, name) of the visible ones, by name, for a filter

    def q(self, field="community_id"):
        if self.everything:
            return Q()
        if not self.visible:
            return Q(pk__in=[])
        if len(self.hidden) < len(self.visible):
            return Q(**{f"{field}__lte": self.max_id}) & ~Q(**{f"{field}__in": self.hidden})
        return Q(**{f"{field}__in": self.visible})

    def sql(self, column):
        """The same filter as raw SQL for PostgreSQL: (sql, params)."""
        if self.everything:
            return "TRUE", []
        if not self.visible:
            return "FALSE", []
        if len(self.hidden) < len(self.visible):
            return f"({column} <= %s AND NOT ({column} = ANY(%s)))", [self.max_id, list(self.hidden)]
        return f"({column} = ANY(%s))", [list(self.visible)]


@dataclass(frozen=True)
class Rows:
    """The rows of one kind a viewer may search, as ``build()`` makes them (a queryset), given where a
    queryset would be. On PostgreSQL the SQL of those rows is compiled once per process for each ``key``:
    building and compiling the filtered queryset of every kind cost more CPU than running the search.

    ``key`` must hold every value ``build`` reads (the kind, the scope, the filters, any narrowing), so
    two searches with one key search the same rows; ``build`` must read no clock, setting or request.
    """

    model: type
    key: tuple
    build: object  # () -> QuerySet

    @property
    def db(self):
        return self.model._default_manager.db

    def queryset(self):
        return self.build()


KEPT_ROWS = 512  # compiled rows kept per process (a key is one viewer's scope and filters)
_kept_rows = {}
_EMPTY = object()  # a scope with no community in it


def _rows_sql(qs, date_field):
    """(sql, params) of the pk, search vector and ``date_field`` of ``qs`` (a queryset or :class:`Rows`),
    or None when it can hold no row."""
    if not isinstance(qs, Rows):
        return _compiled_rows(qs, date_field)
    key = (qs.model, qs.key, date_field)
    found = _kept_rows.get(key)
    if found is None:
        found = _compiled_rows(qs.build(), date_field) or _EMPTY
        if found is not _EMPTY:
            found = _with_values(found, qs.db)
        if len(_kept_rows) >= KEPT_ROWS:
            _kept_rows.pop(next(iter(_kept_rows)), None)
        _kept_rows[key] = found
    return None if found is _EMPTY else found


def _with_values(found, using):
    """(sql, ()): the rows' SQL with its values written in, quoted by the driver as it quotes them when it
    sends them (client-side binding), and any ``%`` in them doubled for the placeholders around it. A
    search repeats the rows in every branch: with their values the statement had 64-127 parameters, more
    than psycopg keeps the parsing of (50), and parsing them took 0.2-0.6 ms of CPU a statement."""
    sql, params = found
    if not params:
        return found
    return connections[using].ops.compose_sql(sql, params).replace("%", "%%"), ()


def _compiled_rows(qs, date_field):
    try:
        return qs.order_by().values_list("pk", "search_vector", date_field).query.sql_with_params()
    except EmptyResultSet:
        return None


def _queryset(qs):
    return qs.queryset() if isinstance(qs, Rows) else qs


# -- finding matches ----------------------------------------------------------------------

SUGGESTION_SIMILARITY = 0.25  # pg_trgm similarity a "Did you mean" word needs ("rubirc" -> "rubric": 0.27)


@contextmanager
def search_settings(using="default"):
    """One transaction for a search's queries, with PostgreSQL planner settings of its own (SET LOCAL).

    - No parallel workers: a search's plans read few rows (an index read newest first
      until enough matches are found, or a GIN lookup); starting workers costs more than
      they save (~40 ms for a query that matches nothing) and takes cores from other requests.
    - ``random_page_cost`` 1.1, not the default 4 (meant for spinning disks): searched
      indexes and rows are in memory, and at 4 the planner reads all of a community's
      rows through its plain index (50 ms) rather than its newest rows first (1.5 ms).
    - No JIT compilation: a search's plans run for milliseconds, and compiling one (when the
      planner's estimate passes ``jit_above_cost``, as with the branches it folds away) took 60 ms.
    - pg_trgm's similarity threshold for "Did you mean".
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                    "set_config('random_page_cost', '1.1', true), set_config('jit', 'off', true), "
                    "set_config('pg_trgm.similarity_threshold', %s, true)",
                    [str(SUGGESTION_SIMILARITY)],
                )
        yield


class Candidate(NamedTuple):  # a tuple: a search makes up to a thousand of them
    kind: str
    id: int
    tier: int  # 1: every term matched; 0: some
    rank: float
    newness: int  # higher is newer, within one kind and tier

    @property
    def key(self):
        return (self.tier, self.rank, self.newness)


def _using_postgres(qs):
    return connections[qs.db].vendor == "postgresql"


def _fts_table(model):
    return f"{model._meta.db_table}_fts"


def _fts_ids(model, match):
    table = _fts_table(model)
    return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [match])  # noqa: S608, S611 - names from code


def _fts_rank(model, match):
    table, outer = _fts_table(model), model._meta.db_table
    return RawSQL(  # noqa: S611 - names from code
        f'(SELECT -bm25({table}) FROM {table} WHERE {table} MATCH %s AND rowid = "{outer}"."id")',  # noqa: S608 - names from code
        [match],
        output_field=FloatField(),
    )


def matching(qs, terms, *, every=True):
    """``qs`` narrowed to rows with every term (``every``) or with any term, on either database."""
    if _using_postgres(qs):
        return qs.filter(search_vector=terms.all_query() if every else terms.any_query())
    return qs.filter(pk__in=_fts_ids(qs.model, terms.fts_all() if every else terms.fts_any()))


def newest_matches(qs, terms, *, kind, date_field="created_at", cap=CANDIDATES, shown=None):
    """The newest ``cap`` rows of ``qs`` matching ``terms``: rows with every term first, then rows with some.

    One query. PostgreSQL reads a ``date_field`` index backwards for common words and the
    GIN index for rare ones; a phrase (which the planner takes for as common as its
    words together) is found through the GIN index first, behind an OFFSET 0 fence.
    ``shown``: see :func:`newest_matches_together`. Returns [Candidate], unranked.
    """
    if not terms:
        return []
    if _using_postgres(qs):
        return newest_matches_together([(qs, kind)], terms, date_field=date_field, cap=cap, shown=shown)
    qs = _queryset(qs).order_by()
    rank = _fts_rank(qs.model, terms.fts_any())
    every = qs.filter(pk__in=_fts_ids(qs.model, terms.fts_all()))
    some = qs.filter(pk__in=_fts_ids(qs.model, terms.fts_any())).exclude(pk__in=_fts_ids(qs.model, terms.fts_all()))
    branches = [(1, every)] if terms.is_single else [(1, every), (0, some)]
    parts, params = [], []
    for tier, branch in branches:
        branch = branch.annotate(search_rank=rank).values_list("pk", "search_rank").order_by(f"-{date_field}")[:cap]
        try:
            sql, branch_params = branch.query.sql_with_params()
        except EmptyResultSet:  # a scope with no community in it
            return []
        parts.append(f"SELECT {tier}, branch.* FROM ({sql}) AS branch")  # noqa: S608 - built from the ORM's SQL
        params.extend(branch_params)
    return _run_branches(qs, parts, params, kind, cap)


def newest_matches_together(kinds, terms, *, date_field="created_at", cap=CANDIDATES, phrase_pairs=False, shown=None):
    """:func:`newest_matches` of each ``(qs, kind)`` of ``kinds`` (querysets of one database), in one
    statement on PostgreSQL (one per kind elsewhere). Returns [Candidate] of every kind.

    ``phrase_pairs``: every model of ``kinds`` has a GIN index on ``search_pairs(search_vector)``
    (the word pairs of its text), so a quoted phrase is found through the pairs it needs rather
    than by reading every row that holds its words anywhere.

    ``shown``: the caller shows at most this many of the best candidates of all ``kinds`` (None:
    any of them). When the rows with every term are at least that many, no row with only some of
    the terms can be shown (they rank below), so on PostgreSQL those are counted, not read newest
    first: each one counted is a Candidate with ``id`` None, and the candidates number as many as
    without ``shown``. Reading "rubric | feedback" newest first read ~4,100 threads to keep 162;
    counting them reads about as many rows as it counts, through the GIN index.
    """
    if not terms:
        return []
    if not all(_using_postgres(qs) for qs, _kind in kinds):
        return [c for qs, kind in kinds for c in newest_matches(qs, terms, kind=kind, date_field=date_field, cap=cap)]
    found = []
    for qs, kind in kinds:
        branches = _matches_sql(qs, terms, date_field=date_field, cap=cap, phrase_pairs=phrase_pairs)
        if branches is not None:
            found.append((kind, *branches))
    if not found:
        return []
    counted = shown is not None and any(some is not None for _kind, _every, some in found)
    ctes, cte_params, parts, params = [], [], [], []
    for n, (kind, (every_sql, every_params), some) in enumerate(found):
        ctes.append(f"every_{n} AS MATERIALIZED ({every_sql})")
        cte_params.extend(every_params)
        branches = [f"SELECT 1, every_{n}.pk, every_{n}.search_rank FROM every_{n}"]  # noqa: S608 - names from code
        params.append(kind)
        if some is not None:
            (newest_sql, newest_params), (counted_sql, counted_params) = some
            gate = " WHERE NOT (SELECT yes FROM enough)" if counted else ""
            branches.append(f"SELECT 0, partial.* FROM ({newest_sql}) AS partial{gate}")  # noqa: S608 - names from code
            params.extend(newest_params)
            if counted:
                branches.append(f"SELECT 0, NULL, NULL FROM ({counted_sql}) AS partial WHERE (SELECT yes FROM enough)")  # noqa: S608
                params.extend(counted_params)
        parts.append(f"SELECT %s, matches.* FROM ({' UNION ALL '.join(branches)} LIMIT {int(cap)}) AS matches")  # noqa: S608
    if counted:
        total = " + ".join(f"(SELECT count(*) FROM every_{n})" for n in range(len(found)))  # noqa: S608
        ctes.append(f"enough AS MATERIALIZED (SELECT {total} >= %s AS yes)")
        cte_params.append(int(shown))
    sql = f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}"
    with connections[kinds[0][0].db].cursor() as cursor:
        cursor.execute(sql, [*cte_params, *params])
        rows = cursor.fetchall()
    # Each kind comes newest first, the rows with every term first; ``newness`` counts within a kind.
    seen = dict.fromkeys((kind for kind, *_rest in found), 0)
    candidates = []
    for kind, tier, pk, rank in rows:
        candidates.append(Candidate(kind, pk, tier, rank or 0.0, -seen[kind]))
        seen[kind] += 1
    return candidates


def _matches_sql(qs, terms, *, date_field, cap, phrase_pairs=False):
    """The SQL of ``qs``'s matches on PostgreSQL, None for a scope with no community in it; else (every, some):

    - ``every``: (sql, params) of the newest ``cap`` rows (pk, search_rank) with every term;
    - ``some``: None for a single term; else ((sql, params) of the newest ``cap`` rows with some of the
      terms but not all, (sql, params) of up to ``cap`` such rows in no order, their pk only).

    Only ``qs``'s own rows go through the ORM (its filters, compiled alone); the search around them is
    written here: building and compiling the ranked, filtered querysets cost several ms of CPU per kind.
    PostgreSQL pulls the plain subquery up into the statement, so the plans are those of one query."""
    found = _rows_sql(qs, date_field)
    if found is None:
        return None
    base, base_params = found
    every_sql, every_params = terms.all_sql()
    any_sql, any_params = terms.any_sql()
    rows = f"FROM ({base}) AS b(pk, sv, happened)"
    rank = f"ts_rank(b.sv, {any_sql})"
    limit = f"LIMIT {int(cap)}"
    where = f"b.sv @@ {every_sql}"
    pairs = terms.pairs_sql() if phrase_pairs else None
    if terms.has_phrase and pairs is not None:
        every = _phrase_branches(rows, base_params, where, every_params, terms, pairs, cap)
    elif terms.has_phrase:
        every = _newest(rows, rank, where, [*any_params, *base_params, *every_params], cap, fenced=True)
    else:
        every = _newest(rows, rank, where, [*any_params, *base_params, *every_params], cap, fenced=False)
    if terms.is_single:
        return every, None
    only_phrases = all(isinstance(t, tuple) for t in terms.positive)
    where = f"b.sv @@ {any_sql} AND NOT (b.sv @@ {every_sql})"
    counted_params = [*base_params, *any_params, *every_params]
    newest = _newest(rows, rank, where, [*any_params, *counted_params], cap, fenced=only_phrases)
    some = (f"SELECT b.pk {rows} WHERE {where} {limit}", counted_params)
    return every, (newest, some)


def _newest(rows, rank, where, params, cap, *, fenced):
    """(sql, params): the newest ``cap`` (pk, search_rank) of ``rows`` that match ``where``; ``fenced``
    finds the matches first (through the GIN index) behind an OFFSET 0 fence, then sorts them."""
    if fenced:
        sql = (
            f"SELECT fenced.pk, fenced.search_rank FROM (SELECT b.pk, {rank} AS search_rank, b.happened "  # noqa: S608 - names from code
            f"{rows} WHERE {where} OFFSET 0) AS fenced ORDER BY fenced.happened DESC LIMIT {int(cap)}"
        )
    else:
        sql = f"SELECT b.pk, {rank} AS search_rank {rows} WHERE {where} ORDER BY b.happened DESC LIMIT {int(cap)}"
    return sql, params


def _phrase_branches(rows, base_params, where, where_params, terms, pairs, cap):
    """The newest ``cap`` rows with every term, phrases among them, as (sql, params): three branches of which
    the planner keeps one (each is guarded by a test on constants, which it folds).

    - The phrases have pairs of neighbouring words: the rows with every pair (few: a GIN lookup on
      ``search_pairs``), behind the fence, then the query itself on those.
    - No pairs, but still a phrase (its words apart by stop words, "teach the kids"): the matches
      through the search_vector index first, behind the fence, as a phrase is read elsewhere.
    - No phrase left once stop words go ('"the students"' is the word students): newest first, as
      words are read; behind the fence that read every post with the word.
    """
    every_sql, every_params = terms.all_sql()
    any_sql, any_params = terms.any_sql()
    pairs_sql, pairs_params = pairs
    rank = f"ts_rank(b.sv, {any_sql})"
    no_pairs = f"cardinality({pairs_sql}) = 0"
    phrase_left = f"strpos(({every_sql})::text, '<') > 0"  # <-> or <N>; lexemes here are \w only
    limit = f"LIMIT {int(cap)}"
    branches = [
        (
            f"SELECT fenced.pk, ts_rank(fenced.sv, {any_sql}) AS search_rank FROM (SELECT b.pk, b.sv, b.happened "  # noqa: S608
            f"{rows} WHERE cardinality({pairs_sql}) > 0 AND search_pairs(b.sv) @> {pairs_sql} OFFSET 0) AS fenced "
            f"WHERE fenced.sv @@ {every_sql} ORDER BY fenced.happened DESC {limit}",
            [*any_params, *base_params, *pairs_params, *pairs_params, *every_params],
        ),
        (
            f"SELECT fenced.pk, fenced.search_rank FROM (SELECT b.pk, {rank} AS search_rank, b.happened {rows} "  # noqa: S608
            f"WHERE {no_pairs} AND {phrase_left} AND {where} OFFSET 0) AS fenced ORDER BY fenced.happened DESC {limit}",
            [*any_params, *base_params, *pairs_params, *every_params, *where_params],
        ),
        (
            f"SELECT b.pk, {rank} AS search_rank {rows} WHERE {no_pairs} AND NOT {phrase_left} AND {where} "
            f"ORDER BY b.happened DESC {limit}",
            [*any_params, *base_params, *pairs_params, *every_params, *where_params],
        ),
    ]
    sql = " UNION ALL ".join(f"SELECT branch.* FROM ({sql}) AS branch" for sql, _ in branches)  # noqa: S608
    return f"{sql} {limit}", [p for _, branch_params in branches for p in branch_params]


def _run_branches(qs, parts, params, kind, cap):
    sql = " UNION ALL ".join(parts) + f" LIMIT {int(cap)}"
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Each branch comes newest first, and the branch with every term first.
    return [Candidate(kind, pk, tier, rank or 0.0, -n) for n, (tier, pk, rank) in enumerate(rows)]


def shown_for(page_number, per_page):
    """How many of the best candidates ``Paginator.get_page(page_number)`` shows at most, as ``shown`` for
    :func:`newest_matches_together`: page 1 for what is not a number, None for a number below 1 (the last
    page, of a count not known yet)."""
    try:
        if isinstance(page_number, float) and not page_number.is_integer():
            raise ValueError
        number = int(page_number)
    except (TypeError, ValueError):
        return per_page
    return number * per_page if number >= 1 else None


def best_page(find, page_number, per_page):
    """The page ``page_number`` of ``find(shown)``'s candidates (see :func:`newest_matches_together`), best
    first. A page past the end is the last one, which may hold rows only counted; those are then read."""
    page = Paginator(best_first(find(shown_for(page_number, per_page))), per_page).get_page(page_number)
    if any(candidate.id is None for candidate in page.object_list):
        page = Paginator(best_first(find(None)), per_page).get_page(page_number)
    return page


def best_first(candidates):
    """All-term matches first, then by rank, then newest."""
    return sorted(candidates, key=_BEST, reverse=True)


_BEST = attrgetter("tier", "rank", "newness")  # Candidate.key


def headline(qs, terms, field_name, *, words=35):
    """``qs`` annotated with ``snippet``: a part of ``field_name`` around the matched words, marked."""
    if not terms:
        return qs
    if _using_postgres(qs):
        options = {"start_sel": _START, "stop_sel": _STOP, "max_words": words, "min_words": 15, "config": CONFIG}
        return qs.annotate(snippet=SearchHeadline(field_name, terms.any_query(with_excluded=False), **options))
    model = qs.model
    table, outer = _fts_table(model), model._meta.db_table
    column = _fts_columns[model._meta.label].index(field_name)
    sql = (
        f"(SELECT snippet({table}, {column}, '{_START}', '{_STOP}', '…', {min(words, 64)}) "  # noqa: S608
        f'FROM {table} WHERE {table} MATCH %s AND rowid = "{outer}"."id")'
    )
    match = Terms(terms.positive).fts_any()
    return qs.annotate(snippet=RawSQL(sql, [match], output_field=TextField()))  # noqa: S611 - names from code


def headline_sql(column, terms, *, words=35):
    """:func:`headline` as SQL for PostgreSQL, for ``column`` (a name from code): (sql, params)."""
    options = f"StartSel={_START}, StopSel={_STOP}, MaxWords={int(words)}, MinWords=15"
    query, params = terms.any_sql(with_excluded=False)
    return f"ts_headline(%s::regconfig, {column}, {query}, %s)", [CONFIG, *params, options]


SNIPPET_FALLBACK = 240  # characters of the text shown when the database marks no snippet


def safe_snippet(obj, fallback="", length=SNIPPET_FALLBACK):
    """The snippet of ``obj`` (see :func:`headline`) as safe HTML: escaped, with only <mark> added."""
    return marked(getattr(obj, "snippet", None) or (fallback or "")[:length])


def marked(text):
    """A snippet marked by the database (:func:`headline`, :func:`headline_sql`) as safe HTML: escaped,
    with only <mark> added."""
    return escape(text or "").replace(_START, "<mark>").replace(_STOP, "</mark>")


# -- providers: one per kind of result ----------------------------------------------------


@dataclass
class Section:
    """One kind of result on the search page."""

    kind: str
    label: str
    template: str
    page: object = None  # a Page of candidates
    hits: list = field(default_factory=list)
    capped: bool = False
    main: bool = False  # the section the page's pages page through

    @property
    def count(self):
        return self.page.paginator.count if self.page is not None else 0


@dataclass(frozen=True)
class Provider:
    kind: str
    label: str
    order: int
    function: object


_providers = {}


def register(kind, function, *, label, order=50):
    """Add a kind of result. ``function(*, viewer, terms, scope, filters, page_number, per_page)``
    returns a :class:`Section` in a fixed number of queries, showing only what ``scope`` allows."""
    _providers[kind] = Provider(kind, label, order, function)


def providers():
    return sorted(_providers.values(), key=lambda p: p.order)


@dataclass(frozen=True)
class Filters:
    """Filters every kind understands: one community (its id), an author, a creation date range [since, until)."""

    community: int | None = None
    author: object = None
    since: object = None
    until: object = None

    def apply(self, qs, *, author_field, date_field="created_at"):
        if self.community is not None:
            qs = qs.filter(community_id=self.community)
        if self.author is not None:
            qs = qs.filter(**{author_field: self.author})
        if self.since is not None:
            qs = qs.filter(**{f"{date_field}__gte": self.since})
        if self.until is not None:
            qs = qs.filter(**{f"{date_field}__lt": self.until})
        return qs


def ranked_section(qs, terms, *, kind, label, template, page_number, per_page, snippet_field, related=("community",)):
    """A :class:`Section` of ``qs``'s matches, best first: the newest CANDIDATES ranked, one page loaded.

    ``qs`` (a queryset or :class:`Rows`) must hold only what the viewer may see; the page's rows are loaded with
    ``related`` selected. Two queries (none when ``terms`` is empty). Each hit gets ``headline``.
    """
    section = Section(kind, label, template)
    if not terms:
        return section
    section.page = best_page(lambda shown: newest_matches(qs, terms, kind=kind, shown=shown), page_number, per_page)
    section.capped = section.page.paginator.count >= CANDIDATES
    ids = [c.id for c in section.page.object_list]
    if ids:
        if _using_postgres(qs) and tuple(related) == ("community",):
            found = _rows_with_community(qs.model, ids, terms, snippet_field, using=qs.db)
        else:
            rows = qs.model._default_manager.filter(pk__in=ids).select_related(*related)
            found = {obj.pk: obj for obj in headline(rows, terms, snippet_field)}
        for candidate in section.page.object_list:
            obj = found.get(candidate.id)
            if obj is not None:
                obj.headline = safe_snippet(obj, getattr(obj, snippet_field))
                section.hits.append(obj)
    return section


@cache
def _row_columns(model, using):
    """The columns a hit loads (every one but search vectors), their attribute names and each one's
    converters from database values, as the ORM applies them."""
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, SearchVectorField)]
    converters = []
    for f in fields:
        column = f.get_col(model._meta.db_table)
        converters.append((connection.ops.get_db_converters(column) + column.get_db_converters(connection), column))
    columns = ", ".join(f"m.{connection.ops.quote_name(f.column)}" for f in fields)
    return columns, tuple(f.attname for f in fields), tuple(converters)


def _rows_with_community(model, ids, terms, snippet_field, *, using):
    """{id: instance} of ``model`` for ``ids``, with its community (id, slug and name only) and its marked
    ``snippet``, as ``filter(pk__in=ids).select_related("community")`` with :func:`headline` gives them,
    in one hand-written statement: building and compiling that queryset cost more than running it."""
    community_model = model._meta.get_field("community").related_model  # every searched kind has one
    connection = connections[using]
    columns, names, converters = _row_columns(model, using)
    snippet_column = connection.ops.quote_name(model._meta.get_field(snippet_field).column)
    snippet, snippet_params = headline_sql(f"m.{snippet_column}", terms)
    table, communities = connection.ops.quote_name(model._meta.db_table), community_model._meta.db_table
    sql = (
        f"SELECT {columns}, c.id, c.name, c.slug, {snippet} FROM {table} m "  # noqa: S608 - names from code
        f"JOIN {communities} c ON c.id = m.community_id WHERE m.id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*snippet_params, list(ids)])
        rows = cursor.fetchall()
    found = {}
    width = len(names)
    for row in rows:
        values = list(row[:width])
        for n, (functions, expression) in enumerate(converters):
            for function in functions:
                values[n] = function(values[n], expression, connection)
        obj = model.from_db(using, names, values)
        # from_db reads values in the model's field order: id, name, slug.
        obj.community = community_model.from_db(using, ("id", "name", "slug"), row[width : width + 3])
        obj.snippet = row[width + 3]
        found[obj.pk] = obj
    return found


# -- SQLite: FTS5 tables kept in sync by triggers -----------------------------------------

_fts_columns = {}


def register_fts(model, columns):
    """Index ``columns`` of ``model`` with FTS5 on SQLite (PostgreSQL uses the model's search_vector)."""
    _fts_columns[model._meta.label] = list(columns)


def ensure_sqlite_fts(using="default", **_kwargs):
    """Create each registered FTS5 table and its triggers if missing (a post_migrate receiver).

    Rebuilding a SQLite table (which migrations do to alter a column) drops its triggers;
    when one is missing the index is rebuilt from the table, so it never goes stale.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for label, columns in _fts_columns.items():
            table = apps.get_model(label)._meta.db_table
            fts = f"{table}_fts"
            cursor.execute("SELECT name FROM sqlite_master WHERE name = %s OR name LIKE %s", [table, f"{fts}%"])
            existing = {row[0] for row in cursor.fetchall()}
            if table not in existing:
                continue
            missing = [sql for name, sql in _fts_statements(table, columns) if name not in existing]
            for statement in missing:
                cursor.execute(statement)
            if missing:
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608 - names from code


def _fts_statements(table, columns):
    """(name, SQL) of the FTS5 table over ``table`` and the three triggers that keep it in sync."""
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608 - names from code
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608 - names from code
    return [
        (fts, f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id', "
              "tokenize='porter unicode61')"),
        (f"{fts}_ai", f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END"),
        (f"{fts}_ad", f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END"),
        (f"{fts}_au", f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN {delete} {insert} END"),
    ]  # fmt: skip
