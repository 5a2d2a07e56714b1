from polls.models import Poll
from tests.matrix import SECRET_MARKER, Rule
from tests.polls.factories import PollFactory


def _poll(community, author):
    poll = PollFactory(
        community=community, created_by=author, question=f"Secret question {SECRET_MARKER}", description=SECRET_MARKER
    )
    return {"poll_id": poll.pk}


def _plain_poll(community, author):
    # Members get a 400 (no answer picked) that shows the poll, so no marker here.
    return {"poll_id": PollFactory(community=community, created_by=author, kind=Poll.Kind.SINGLE).pk}


def _vote_expect(visibility, role):
    """Only members answer: staff who are not members are refused (voters are counted against members)."""
    if visibility == "hidden" and role in ("anonymous", "outsider", "requester"):
        return {404}
    if role == "anonymous":
        return {302}
    if role in ("member", "moderator"):
        return {400}  # allowed, but the empty ballot is refused with a message
    return {403}


RULES = {
    "polls:list": Rule("see"),
    "polls:new": Rule("schedule"),
    "polls:detail": Rule("see", kwargs=_poll),
    "polls:vote": Rule("post", method="POST", kwargs=_plain_poll, expect=_vote_expect),
    "polls:edit": Rule("schedule", kwargs=_poll),
    "polls:close": Rule("schedule", method="POST", kwargs=_poll),
    "polls:repeat": Rule("schedule", kwargs=_poll),
    "polls:auto_repeat": Rule("schedule", method="POST", kwargs=_poll, data={"every": "weeks", "weeks": "0"}),
    "polls:export": Rule("schedule", kwargs=_poll),
}
