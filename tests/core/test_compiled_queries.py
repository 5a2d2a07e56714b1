"""core.compiled_queries: a queryset compiled once gives, for each set of values, what the queryset gives."""

import pytest
from django.db.models import Count, OuterRef, Subquery

from core.compiled_queries import compile_query
from discussions.models import Post, Thread
from tests.discussions.factories import PostFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def replies_of(thread):
    counted = Post.objects.filter(thread=OuterRef("thread")).order_by().values("thread").annotate(n=Count("pk"))
    return (
        Post.objects.filter(thread_id=thread)
        .select_related("author", "thread")
        .only("body_html", "created_at", "thread__title", "author__username")
        .annotate(in_thread=Subquery(counted.values("n")))
        .order_by("created_at", "id")
    )


def test_each_run_gives_what_the_queryset_gives_for_its_values(django_assert_num_queries):
    one, two = ThreadFactory(title="One"), ThreadFactory(title="Two")
    for thread, count in ((one, 2), (two, 3)):
        for _ in range(count):
            PostFactory(thread=thread)
    compiled = compile_query(replies_of, "thread")
    for thread in (one, two, one):
        expected = list(replies_of(thread.pk))
        with django_assert_num_queries(1):
            got = compiled.run(thread=thread.pk)
            shown = [(p.pk, p.body_html, p.created_at, p.thread.title, p.author.username, p.in_thread) for p in got]
        assert shown == [
            (p.pk, p.body_html, p.created_at, p.thread.title, p.author.username, p.in_thread) for p in expected
        ]
    assert compiled.run(thread=10**9) == []


def test_a_value_that_would_be_written_into_the_sql_is_refused():
    with pytest.raises(ValueError, match="stand-in"):
        compile_query(lambda limit: Thread.objects.order_by("pk")[:-limit], "limit")
    with pytest.raises(ValueError, match="stand-in"):
        compile_query(lambda thread: Thread.objects.all(), "thread")  # never used


def test_instances_behave_as_the_orms_own(django_assert_num_queries):
    post = PostFactory(body="Original words")
    got = compile_query(replies_of, "thread").run(thread=post.thread_id)[0]
    assert got == post
    assert got._state.adding is False
    assert got._state.db == "default"
    assert got.get_deferred_fields() == {f.attname for f in Post._meta.concrete_fields} - {
        "id",
        "body_html",
        "created_at",
        "thread_id",
        "author_id",
    }
    with django_assert_num_queries(1):
        assert got.body == "Original words"  # a deferred field loads when read
    got.body = "New words"
    got.save(update_fields=["body"])
    post.refresh_from_db()
    assert post.body == "New words"
