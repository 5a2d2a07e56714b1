import csv
from datetime import UTC, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from communities.permissions import community_view
from core.pagecache import cached_page
from core.refusals import REFUSALS, message_for, refuse
from polls import selectors, services
from polls.charts import group_chart, trend_chart
from polls.forms import AutoRepeatForm, PollForm, RepeatForm, VoteForm, initial_for
from polls.models import Poll, results_visible

PER_PAGE = 20
STATUS_TABS = (
    (Poll.Status.OPEN, "Open"),
    (Poll.Status.SCHEDULED, "Scheduled"),
    (Poll.Status.CLOSED, "Closed"),
)


@community_view("see")
@cached_page(params=("status", "page"))
def poll_list(request, access):
    status = request.GET.get("status", Poll.Status.OPEN)
    tabs = [(value, label) for value, label in STATUS_TABS if value != Poll.Status.SCHEDULED or access.may_schedule]
    if status not in {value for value, _ in tabs}:
        status = Poll.Status.OPEN
    polls = selectors.polls_for_list(access=access, status=status)
    page = Paginator(polls, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "community": access.community,
        "access": access,
        "status": status,
        "tabs": tabs,
        "counts": selectors.poll_counts(access=access),
        "page_obj": page,
        "polls": page.object_list,
    }
    return render(request, "polls/list.html", context)


def _poll_context(request, access, poll, *, form=None, answer=None, error="", saved=False, next_url=""):
    user = request.user
    if answer is None:
        answer = selectors.my_answer(poll=poll, user=user)
    may_vote = access.is_member and poll.is_open and not (poll.is_anonymous and answer.answered)
    if form is None and may_vote:
        form = VoteForm(poll=poll, answer=answer)
    show_results = results_visible(poll, access, answered=answer.answered)
    results = selectors.poll_results(poll=poll, with_districts=access.may_schedule) if show_results else None
    return {
        "community": access.community,
        "access": access,
        "poll": poll,
        "answer": answer,
        "form": form if may_vote else None,
        "may_vote": may_vote,
        "results": results,
        "error": error,
        "saved": saved,
        "next_url": next_url,
    }


@community_view("see")
@cached_page()
def poll_detail(request, access, poll_id):
    poll = selectors.poll_for_page(access=access, poll_id=poll_id)
    context = _with_rounds(_poll_context(request, access, poll), poll, request)
    return render(request, "polls/detail.html", context, status=400 if context.get("group_error") else 200)


def _safe_next(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


def _with_rounds(context, poll, request=None):
    """The series' trend: the community's, and for those who run polls every district and focus area
    (``?group=district-<id>`` or ``area-<id>`` charts one of them). An unknown group is a 400."""
    rounds = selectors.series_rounds(poll=poll)
    context["rounds"] = rounds if len(rounds) > 1 else []
    context["chart"] = trend_chart(poll=poll, rounds=rounds) if len(rounds) > 1 else None
    access = context["access"]
    if len(rounds) < 2 or not access.may_schedule or poll.is_anonymous or not poll.has_choices:
        return context
    groups = selectors.group_trends(poll=poll, rounds=rounds)
    context["groups"] = groups
    context["group_chart"] = group_chart(rounds=rounds, groups=groups) if poll.is_scale else None
    context["min_group"] = selectors.MIN_GROUP_ANSWERS
    wanted = (request.GET.get("group") or "")[:40] if request is not None else ""
    if wanted and wanted != "all":
        chosen = next((g for g in groups if g.key == wanted), None)
        if chosen is None:
            context["group_error"] = (
                "Pick a district or focus area from the list: "
                "only those whose members answered these rounds are listed."
            )
        else:
            context["group"] = chosen
            context["chart"] = trend_chart(poll=poll, rounds=chosen.as_rounds(rounds))
            context["rounds"] = chosen.as_rounds(rounds)
    return context


@require_POST
@community_view("post")
def vote(request, access, poll_id):
    poll = selectors.poll_for_page(access=access, poll_id=poll_id)
    answer = selectors.my_answer(poll=poll, user=request.user)
    next_url = _safe_next(request)
    form = VoteForm(request.POST, poll=poll, answer=answer)
    try:
        services.check_may_vote(access)
        if not form.is_valid():
            problems = " ".join(e for errors in form.errors.values() for e in errors)
            raise ValidationError(f"Your answer was not saved. {problems}")
        services.cast_vote(access=access, poll=poll, choices=form.picked, text=form.cleaned_data.get("text", ""))
    except REFUSALS as error:
        # The poll again, with the message above what the person picked or wrote.
        context = _poll_context(
            request, access, poll, form=form if poll.is_open else None, answer=answer, next_url=next_url
        )
        context["error"] = message_for(error)
        if not request.htmx:
            _with_rounds(context, poll)
        return refuse(
            request, error, template="polls/detail.html", context=context, fragment="polls/includes/poll.html"
        )
    done = "Your answer is changed." if answer.answered else "Your answer is saved."
    if not request.htmx:
        messages.success(request, done)
        return redirect(next_url or poll.get_absolute_url())
    context = _poll_context(request, access, poll, saved=done, next_url=next_url)
    return render(request, "polls/includes/poll.html", context)


def _form_values(form):
    data = dict(form.cleaned_data)
    data["choices"] = data.get("choices") or []
    return data


@community_view("schedule")
def poll_new(request, access):
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = PollForm(
        request.POST or None,
        community=access.community,
        initial={
            "kind": Poll.Kind.SINGLE,
            "opens_at": now,
            "closes_at": now + timedelta(days=7),
            "results_visibility": Poll.ResultsVisibility.AFTER_VOTE,
            "thread": request.GET.get("thread", "") if request.GET.get("thread", "").isdigit() else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.create_poll(access=access, **_form_values(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your poll is ready." if poll.is_open else "Your poll is scheduled.")
            return redirect(poll.thread.get_absolute_url() if poll.thread_id else poll.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    thread = form["thread"].initial if not form.is_bound else form.data.get("thread")
    thread = form.fields["thread"].queryset.filter(pk=thread).first() if str(thread or "").isdigit() else None
    context = {"community": access.community, "access": access, "form": form, "poll": None, "thread": thread}
    return render(request, "polls/form.html", context, status=status)


@community_view("schedule")
def poll_edit(request, access, poll_id):
    poll = selectors.poll_for_page(access=access, poll_id=poll_id)
    locked = services.has_answers(poll)
    form = PollForm(
        request.POST or None,
        community=access.community,
        locked=locked,
        initial=initial_for(poll),
        submit_label="Save poll",
    )
    if request.method == "POST" and form.is_valid():
        values = _form_values(form)
        choices = None if locked else values.pop("choices")
        if locked:
            for name in ("kind", "max_choices", "is_anonymous", "choices"):
                values.pop(name, None)
        try:
            poll = services.update_poll(access=access, poll=poll, choices=choices, **values)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The poll is saved.")
            return redirect(poll.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"community": access.community, "access": access, "form": form, "poll": poll}
    return render(request, "polls/form.html", context, status=status)


@require_POST
@community_view("schedule")
def poll_close(request, access, poll_id):
    poll = selectors.poll_for_page(access=access, poll_id=poll_id)
    try:
        services.close_poll(access=access, poll=poll)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(poll.get_absolute_url())
    messages.success(request, "The poll is closed. Members can no longer answer.")
    return redirect(poll.get_absolute_url())


@community_view("schedule")
def poll_repeat(request, access, poll_id):
    poll = selectors.poll_for_page(access=access, poll_id=poll_id)
    opens, closes = services.default_repeat_dates(poll, now=timezone.localtime().replace(second=0, microsecond=0))
    form = RepeatForm(request.POST or None, initial={"opens_at": opens, "closes_at": closes})
    if request.method == "POST" and form.is_valid():
        new = services.repeat_poll(
            access=access, poll=poll, opens_at=form.cleaned_data["opens_at"], closes_at=form.cleaned_data["closes_at"]
        )
        messages.success(request, f"Round {new.round} is ready.")
        return redirect(new.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"community": access.community, "access": access, "form": form, "poll": poll}
    context["auto_form"] = AutoRepeatForm(initial=_auto_initial(poll))
    return render(request, "polls/repeat.html", context, status=status)


def _auto_initial(poll):
    rule = poll.series.repeat_rule if poll.series_id else ""
    parts = dict(part.split("=", 1) for part in rule.split(";") if "=" in part)
    if parts.get("FREQ") == "WEEKLY":
        return {"every": "weeks", "weeks": int(parts.get("INTERVAL", 1))}
    return {"every": "month", "day": int(parts.get("BYMONTHDAY", poll.opens_at.day if poll.opens_at.day <= 28 else 1))}


@require_POST
@community_view("schedule")
def poll_auto_repeat(request, access, poll_id):
    """Make the poll open a new round by itself every month on a day, or every N weeks (or stop)."""
    poll = selectors.poll_for_page(access=access, poll_id=poll_id)
    form = AutoRepeatForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        series = services.set_poll_repeat(
            access=access, poll=poll, every=data["every"], day=data["day"], weeks=data["weeks"]
        )
    except ValidationError as error:
        opens, closes = services.default_repeat_dates(poll)
        context = {
            "community": access.community,
            "access": access,
            "poll": poll,
            "form": RepeatForm(initial={"opens_at": opens, "closes_at": closes}),
            "auto_form": form,
            "auto_refusal": " ".join(error.messages),
        }
        return render(request, "polls/repeat.html", context, status=400)
    if series.next_round_at:
        when = timezone.localtime(series.next_round_at).strftime("%B %-d, %Y")
        messages.success(request, f"It repeats by itself: the next round opens on {when} and closes the one before.")
    else:
        messages.success(request, "It no longer repeats by itself.")
    return redirect(poll.get_absolute_url())


def _cell(value):
    # Spreadsheet apps run cells that start with these as formulas.
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@community_view("schedule")
def poll_export(request, access, poll_id):
    poll = selectors.poll_for_page(access=access, poll_id=poll_id)
    results = selectors.poll_results(poll=poll, with_districts=False)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}-results.csv"'
    writer = csv.writer(response)
    writer.writerow(["question", _cell(poll.question)])
    writer.writerow(["voters", results.voters])
    writer.writerow(["members", results.members])
    writer.writerow(["response rate (%)", results.response_rate])
    writer.writerow([])
    if poll.has_choices:
        writer.writerow(["choice", "count", "percent of voters"])
        for row in results.choices:
            writer.writerow([_cell(row.choice.label), row.count, row.percent])
        writer.writerow([])
    if poll.is_anonymous:
        if poll.is_text:
            writer.writerow(["answer (anonymous, in random order)"])
            for text in selectors.anonymous_text_answers(poll=poll):
                writer.writerow([_cell(text)])
        return response
    writer.writerow(["name", "username", "district", "answer", "answered at (UTC)"])
    for ballot in selectors.named_ballots_for_export(poll=poll):
        answer = ballot.text if poll.is_text else "; ".join(pick.choice.label for pick in ballot.picks.all())
        district = ballot.voter.district.name if ballot.voter.district else ""
        writer.writerow(
            [
                _cell(ballot.voter.name),
                ballot.voter.username,
                _cell(district),
                _cell(answer),
                ballot.updated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if ballot.updated_at else "",
            ]
        )
    return response
