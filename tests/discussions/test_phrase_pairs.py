"""Quoted phrases are found through the index of neighbouring word pairs (``search_pairs``, migration
0014) and find exactly what the phrase query alone finds: the pairs only narrow which rows it reads."""

import random

import pytest
from django.db import connection

from core import search as core_search
from discussions.models import Post, Thread
from tests.discussions.factories import PostFactory, ThreadFactory

pytestmark = pytest.mark.django_db

WORDS = ["old", "tablets", "the", "lab", "coding", "classroom", "teach", "kids", "a", "code", "classrooms", "of"]


def pairs_of(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_pairs(to_tsvector('english', %s))", [text])
        return sorted(cursor.fetchone()[0])


def test_the_pairs_of_a_text_are_its_neighbouring_stems():
    assert pairs_of("Coding in the classroom: coding classrooms, old tablets") == [
        "classroom code",
        "classroom old",
        "code classroom",
        "old tablet",
    ]
    assert pairs_of("teach the kids") == []  # "the" is not indexed; its place still is
    assert pairs_of("") == []


def newest(terms, *, phrase_pairs):
    kinds = [(Thread.objects.all(), "t"), (Post.objects.all(), "p")]
    with core_search.search_settings():
        return core_search.newest_matches_together(kinds, terms, cap=500, phrase_pairs=phrase_pairs)


@pytest.mark.parametrize(
    "typed",
    [
        '"old tablets"',
        '"coding classroom"',
        '"code classrooms" lab',
        '"old tablets" "coding classroom"',
        '"tablets old" -lab',
        '"teach the kids"',
        '"the kids"',
        '"coding classroom old tablets"',
    ],
)
def test_a_phrase_finds_through_its_pairs_what_the_phrase_query_finds(community, typed):
    rng = random.Random(19)
    threads = [
        ThreadFactory(
            community=community, title=" ".join(rng.choices(WORDS, k=4)), body=" ".join(rng.choices(WORDS, k=8))
        )
        for _ in range(10)
    ]
    for n in range(60):
        PostFactory(thread=threads[n % 10], body=" ".join(rng.choices(WORDS, k=12)))
    PostFactory(thread=threads[0], body="Lab: coding classroom old tablets old, teach the kids code classrooms.")
    terms = core_search.parse(typed)
    found = newest(terms, phrase_pairs=True)
    assert found == newest(terms, phrase_pairs=False)
    assert found  # every phrase here occurs, in one post at least


@pytest.mark.parametrize(
    ("typed", "through_pairs"),
    [
        ('"old tablets"', True),  # its pair, through their index
        ('"teach the kids"', False),  # a phrase without pairs: behind the fence, as before
        ('"the kids"', False),  # no phrase left: newest first, as a word
    ],
)
def test_the_planner_keeps_one_way_to_read_a_phrase(community, typed, through_pairs):
    terms = core_search.parse(typed)
    (sql, params), _some = core_search._matches_sql(
        Post.objects.all(), terms, date_field="created_at", cap=200, phrase_pairs=True
    )
    with core_search.search_settings(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (VERBOSE, COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Three ways, each behind a test on constants; the planner folds two of them to nothing.
    assert plan.count("One-Time Filter: false") == 2, plan
    assert ("search_pairs(" in plan) is through_pairs
