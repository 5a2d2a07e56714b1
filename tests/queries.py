"""Exact query counts, with every statement printed when the count is wrong (as Zulip's tests do).

    def test_thread_page(client, assert_num_queries_exact):
        with assert_num_queries_exact(10):
            client.get(url)

A bound ("at most 16") lets a page drift from 10 to 16 queries unnoticed; an exact count fails
on the first extra query and lists them all, numbered, so the new one is easy to spot. When a
change really does need another query, update the number in the same commit and say why.
"""

from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext


def format_queries(captured):
    return "\n".join(f"{n:3}. {query['sql']}" for n, query in enumerate(captured, start=1))


@contextmanager
def exact_queries(expected, *, using=DEFAULT_DB_ALIAS):
    """Fail unless the block runs exactly ``expected`` SQL statements; yields the captured list."""
    with CaptureQueriesContext(connections[using]) as context:
        yield context
    actual = len(context.captured_queries)
    if actual != expected:
        pytest.fail(
            f"Expected exactly {expected} queries, the block ran {actual}:\n{format_queries(context.captured_queries)}",
            pytrace=False,
        )
