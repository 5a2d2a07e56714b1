"""Celery tasks of polls: sealed anonymous answers become ballots once their poll has closed."""

from celery import shared_task
from django.utils import timezone

from polls import services
from polls.models import Poll


@shared_task(name="polls.mix_sealed_answers_of", soft_time_limit=120, time_limit=150)
def mix_sealed_answers_of(poll_id):
    """Mix one poll's sealed answers if it has closed; safe to run twice."""
    poll = Poll.objects.filter(pk=poll_id).first()
    return services.mix_sealed_answers(poll=poll) if poll is not None else 0


@shared_task(name="polls.mix_closed_polls", soft_time_limit=600, time_limit=660)
def mix_closed_polls():
    """Beat job: every anonymous poll that has closed (by its date or by a leader) with answers still sealed."""
    now = timezone.now()
    polls = Poll.objects.filter(is_anonymous=True, closes_at__lte=now, sealed_answers__isnull=False).distinct()
    return sum(services.mix_sealed_answers(poll=poll, now=now) for poll in polls)


@shared_task(name="polls.open_due_rounds", soft_time_limit=120, time_limit=180)
def open_due_rounds():
    """Beat job: open the due round of every repeating pulse poll (closing the one before); safe to run twice."""
    return [poll.pk for poll in services.open_due_rounds()]


@shared_task(name="polls.announce_opened_polls", soft_time_limit=120, time_limit=180)
def announce_opened_polls():
    """Beat job: tell members of each poll whose opening time has come (scheduled ones); safe to run twice."""
    return services.announce_opened_polls()
