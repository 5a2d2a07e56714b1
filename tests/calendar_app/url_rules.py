"""Who may open each calendar URL (see tests/matrix.py)."""

from datetime import UTC, datetime, timedelta

from calendar_app.models import occurrence_key
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.factories import DistrictFactory
from tests.matrix import SECRET_MARKER, Rule

NEXT_MONDAY = (datetime.now(UTC) + timedelta(days=7 - datetime.now(UTC).weekday())).replace(
    hour=15, minute=0, second=0, microsecond=0
)


def _activity(community, author, **extra):
    return ActivityFactory(
        community=community,
        organizer=author,
        title=f"Planning {SECRET_MARKER}",
        description=f"Agenda {SECRET_MARKER}",
        description_html=f"<p>Agenda {SECRET_MARKER}</p>",
        **extra,
    )


def activity(community, author):
    return {"pk": _activity(community, author).pk}


def weekly(community, author):
    return {"pk": _activity(community, author, start=NEXT_MONDAY, recurrence="FREQ=WEEKLY;COUNT=10").pk}


def responsibility(community, author):
    district = DistrictFactory()
    community.districts.add(district)
    return {"pk": ResponsibilityFactory(activity=_activity(community, author), district=district).pk}


def rotation(community, author):
    from calendar_app.models import Rotation, RotationTurn

    district = DistrictFactory()
    community.districts.add(district)
    activity = _activity(community, author, start=NEXT_MONDAY, recurrence="FREQ=WEEKLY;COUNT=10")
    found = Rotation.objects.create(activity=activity, task=f"hosts {SECRET_MARKER}", anchor=activity.start)
    RotationTurn.objects.create(rotation=found, district=district, position=0)
    return {"pk": found.pk}


def _feed_expect(visibility, role):
    # No token in the URL: only a public community's feed opens, and the rest is a bare 404.
    return {200} if visibility == "public" else {404}


def _status_expect(visibility, role):
    # Marking a responsibility done is for its district, its person and the leaders;
    # the matrix member has no district, so they are refused like an outsider.
    if visibility == "hidden" and role in ("anonymous", "outsider", "requester"):
        return {404}
    if role == "anonymous":
        return {302}
    if role in ("moderator", "staff"):
        return {302}
    return {403}


def _delete_expect(visibility, role):
    # The matrix builds one object per community and asks every role in turn, so by the
    # time staff asks, the moderator has already deleted it: then 404 is the right answer.
    if visibility == "hidden" and role in ("anonymous", "outsider", "requester"):
        return {404}
    if role == "anonymous":
        return {302}
    if role == "moderator":
        return {302}
    if role == "staff":
        return {302, 404}
    return {403}


KEY = occurrence_key(NEXT_MONDAY + timedelta(days=7))

RULES = {
    "calendar_app:month": Rule("see"),
    "calendar_app:community_feed": Rule("view", expect=_feed_expect),
    "calendar_app:new": Rule("schedule"),
    "calendar_app:plan": Rule("schedule"),
    # Bad input on purpose: the permission check comes first, an allowed viewer gets a 400.
    "calendar_app:plan_cell": Rule("schedule", method="POST", data={"rotation": "x"}),
    "calendar_app:copy_plan": Rule("schedule", method="POST", data={"from": "2027-01"}),
    "calendar_app:add_rotation": Rule("schedule", method="POST", kwargs=weekly, data={"task": "hosts"}),
    "calendar_app:edit_rotation": Rule("schedule", kwargs=rotation),
    "calendar_app:delete_rotation": Rule("schedule", method="POST", kwargs=rotation, expect=_delete_expect),
    "calendar_app:activity": Rule("see", kwargs=activity),
    "calendar_app:activity_ics": Rule("see", kwargs=activity),
    "calendar_app:edit": Rule("schedule", kwargs=activity),
    "calendar_app:delete": Rule("schedule", method="POST", kwargs=activity, expect=_delete_expect),
    "calendar_app:rsvp": Rule("post", method="POST", kwargs=activity, data={"response": "going"}),
    # Marking attendance is for the host (the author here) and the leaders; a plain member is refused.
    "calendar_app:attendance": Rule("moderate", kwargs=activity),
    "calendar_app:check_in": Rule("post", method="POST", kwargs=activity, data={"code": "WRONG1"}),
    "calendar_app:cancel_occurrence": Rule("schedule", method="POST", kwargs=weekly, data={"occurrence": KEY}),
    "calendar_app:restore_occurrence": Rule("schedule", method="POST", kwargs=weekly, data={"occurrence": KEY}),
    "calendar_app:move_occurrence": Rule(
        "schedule", method="POST", kwargs=weekly, data={"occurrence": KEY, "new_start": "2030-01-01T10:00"}
    ),
    "calendar_app:add_responsibility": Rule("schedule", method="POST", kwargs=activity, data={"task": "hosts"}),
    "calendar_app:responsibility_status": Rule(
        "post", method="POST", kwargs=responsibility, data={"status": "done"}, expect=_status_expect
    ),
    "calendar_app:delete_responsibility": Rule("schedule", method="POST", kwargs=responsibility, expect=_delete_expect),
}
