from mentoring.models import Goal, Message
from tests.matrix import SECRET_MARKER, Rule
from tests.mentoring.factories import active_pairing, member_of, mentor, mentor_request

HIDDEN_OUTSIDERS = ("anonymous", "outsider", "requester")


def _pairing(community, author):
    pairing = active_pairing(mentor(community, user=author), member_of(community))
    message = Message.objects.create(pairing=pairing, author=author, body=SECRET_MARKER, body_html=SECRET_MARKER)
    goal = Goal.objects.create(pairing=pairing, text=SECRET_MARKER)
    return {"pairing": pairing, "message": message, "goal": goal}


def _pair(community, author):
    return {"pair_id": _pairing(community, author)["pairing"].pk}


def _pair_message(community, author):
    made = _pairing(community, author)
    return {"pair_id": made["pairing"].pk, "message_id": made["message"].pk}


def _pair_goal(community, author):
    made = _pairing(community, author)
    return {"pair_id": made["pairing"].pk, "goal_id": made["goal"].pk}


def _pair_expect(visibility, role):
    """A pair's space is the pair's: everyone else gets 404 (moderators and staff too); visitors log in first."""
    if role == "anonymous" and visibility != "hidden":
        return {302}
    return {404}


def _request(community, author):
    request = mentor_request(community, author)
    request.goals = SECRET_MARKER
    request.save()
    return {"request_id": request.pk}


def _plain_request(community, author):
    # Leaders are answered with the request page again (400), so no marker here.
    return {"request_id": mentor_request(community, author).pk}


def _request_expect(visibility, role, allowed_status=200):
    """A request is for its mentee and the community's leaders; other members get 404."""
    if visibility == "hidden" and role in HIDDEN_OUTSIDERS:
        return {404}
    return {
        "anonymous": {302},
        "outsider": {403},
        "requester": {403},
        "member": {404},
        "moderator": {allowed_status},
        "staff": {allowed_status},
    }[role]


def _ask_expect(visibility, role):
    # Leaders may suggest; without a mentor picked they are told to pick one (400).
    return _request_expect(visibility, role, allowed_status=400)


def _pair_rule(kwargs, method="POST"):
    return Rule("post", method=method, kwargs=kwargs, expect=_pair_expect)


RULES = {
    "mentoring:home": Rule("see"),
    "mentoring:mentor_profile": Rule("post"),
    "mentoring:ask": Rule("post"),
    "mentoring:leaders": Rule("schedule"),
    "mentoring:request": Rule("post", kwargs=_request, expect=_request_expect),
    "mentoring:ask_mentor": Rule("post", method="POST", kwargs=_plain_request, expect=_ask_expect),
    "mentoring:pair": _pair_rule(_pair, method="GET"),
    "mentoring:respond": _pair_rule(_pair),
    "mentoring:message": _pair_rule(_pair),
    "mentoring:attachment": _pair_rule(_pair_message, method="GET"),
    "mentoring:report": _pair_rule(_pair_message),
    "mentoring:add_goal": _pair_rule(_pair),
    "mentoring:tick_goal": _pair_rule(_pair_goal),
    "mentoring:cadence": _pair_rule(_pair),
    "mentoring:check_in": _pair_rule(_pair),
    "mentoring:end": _pair_rule(_pair),
}
