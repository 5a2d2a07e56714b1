"""What polls show inside a discussion thread and in a community's setup steps (core.panels).

The open polls a member has not answered are on the community home's "What needs you" (digests.panels).
"""

from functools import cache

from django.db.models import prefetch_related_objects
from django.urls import reverse

from core.compiled import Compiled
from core.panels import panel
from polls import selectors
from polls.forms import VoteForm
from polls.models import Poll, PollSeries, results_visible


@cache
def _thread_polls():
    """A thread's polls, compiled once (issue 19): every thread page asks, and most threads have none."""

    def build(thread, community):
        polls = Poll.objects.filter(thread_id=thread, community_id=community)
        return polls.select_related("focus_area", "community").order_by("pk")

    return Compiled(build, thread=int, community=int)


@panel("thread_panel", order=40)
def thread_panel(*, thread, viewer, access):
    """The polls embedded in ``thread``, answerable in place. One query (compiled once), and a fixed
    number per poll (threads carry one or two polls)."""
    if not access.may_see:
        return None
    polls = _thread_polls()(thread=thread.pk, community=access.community.pk)
    prefetch_related_objects(polls, "choices")
    items = []
    for poll in polls:
        if poll.is_scheduled and not access.may_schedule:
            continue
        answer = selectors.my_answer(poll=poll, user=viewer)
        may_vote = access.is_member and poll.is_open and not (poll.is_anonymous and answer.answered)
        show = results_visible(poll, access, answered=answer.answered)
        items.append(
            {
                "poll": poll,
                "answer": answer,
                "may_vote": may_vote,
                "form": VoteForm(poll=poll, answer=answer) if may_vote else None,
                "results": selectors.poll_results(poll=poll, with_districts=False) if show else None,
            }
        )
    if not items and not access.may_schedule:
        return None
    return {
        "template": "polls/includes/thread_panel.html",
        "polls": items,
        "access": access,
        "thread": thread,
        "next_url": thread.get_absolute_url(),
    }


@panel("setup_step", order=60)
def pulse_poll_step(*, community):
    """A pulse poll that repeats by itself: one query."""
    return {
        "label": "Start a pulse poll that repeats",
        "done": PollSeries.objects.filter(community=community).exclude(repeat_rule="").exists(),
        "url": reverse("polls:new", kwargs={"slug": community.slug}),
        "hint": "A short question asked every month; its trend shows how the community is doing.",
    }
