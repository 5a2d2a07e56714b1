"""Who may open each reports URL under /c/<slug>/ (see tests/matrix.py). District leaders are tested in test_health."""

from datetime import date

from reports.models import CharterGoal
from tests.matrix import Rule


def record(community, author):
    return {"username": author.username}


def table(community, author):
    return {"table": "active"}


def goal(community, author):
    day = date(2026, 9, 1)
    return {
        "pk": CharterGoal.objects.create(
            community=community, title="Goal", metric="approved_resources", target=5, starts_on=day, due_on=day
        ).pk
    }


def _remove_expect(visibility, role):
    # One goal per community, asked of every role in turn: after the moderator removed it, staff gets 404.
    if visibility == "hidden" and role in ("anonymous", "outsider", "requester"):
        return {404}
    if role in ("anonymous", "moderator"):
        return {302}
    if role == "staff":
        return {302, 404}
    return {403}


RULES = {
    "reports:health": Rule("moderate"),
    "reports:health_csv": Rule("moderate", kwargs=table),
    "reports:hours_csv": Rule("moderate"),
    "reports:member_record": Rule("moderate", kwargs=record),
    "reports:goals": Rule("manage"),
    "reports:remove_goal": Rule("manage", method="POST", kwargs=goal, expect=_remove_expect),
}

RULES.update(
    {
        "reports:impact": Rule("moderate"),
        "reports:impact_pdf": Rule("moderate"),
    }
)
