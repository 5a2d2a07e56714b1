"""Celery tasks of discussions. Emails about mentions and replies go through notifications (its tasks)."""

from celery import shared_task

from discussions import services


@shared_task(name="discussions.refresh_search_words", time_limit=3600, soft_time_limit=3500)
def refresh_search_words():
    """Top up search's word list ("Did you mean") with what was written since the last run. Safe to repeat."""
    return services.refresh_search_words()
