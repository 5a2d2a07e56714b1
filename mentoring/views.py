from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from communities.permissions import community_view
from core.refusals import REFUSALS, refuse
from mentoring import selectors, services
from mentoring.forms import EndForm, MentorProfileForm, MessageForm, RequestForm, RespondForm
from mentoring.models import MentorProfile, Message, Pairing


def pair_view(view):
    """A view of one pairing: called as ``(request, access, pairing, ...)``; anyone but its two people
    (still members) gets 404, anonymous visitors are sent to log in."""

    @community_view("view")
    @wraps(view)
    def wrapper(request, access, pair_id, *args, **kwargs):
        if not access.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pairing = selectors.pairing_for(access=access, pair_id=pair_id)
        return view(request, access, pairing, *args, **kwargs)

    return wrapper


def _form_problems(form):
    return " ".join(e for errors in form.errors.values() for e in errors)


@community_view("see")
def home(request, access):
    context = {"community": access.community, "access": access}
    if access.is_member:
        context.update(selectors.my_mentoring(access=access))
    return render(request, "mentoring/home.html", context)


@community_view("post")
def mentor_profile(request, access):
    instance = MentorProfile.objects.filter(community=access.community, user=request.user).first()
    form = MentorProfileForm(request.POST or None, instance=instance, community=access.community)
    context = {"community": access.community, "access": access, "form": form, "profile": instance}
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(f"Your profile was not saved. {_form_problems(form)}")
            services.save_mentor_profile(access=access, form=form)
        except REFUSALS as error:
            return refuse(request, error, template="mentoring/mentor_form.html", context=context)
        messages.success(request, "Your mentor profile is saved. Members looking for a mentor can find you.")
        return redirect("mentoring:home", slug=access.community.slug)
    return render(request, "mentoring/mentor_form.html", context)


@community_view("post")
def ask(request, access):
    form = RequestForm(request.POST or None, community=access.community, district_leader=access.is_district_leader)
    context = {"community": access.community, "access": access, "form": form}
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(f"Your request was not sent. {_form_problems(form)}")
            data = form.cleaned_data
            mentor_request = services.create_request(
                access=access,
                goals=data["goals"],
                focus_areas=list(data["focus_areas"]),
                grade_band=data["grade_band"],
                role=data["role"],
                subject=data["subject"],
                other_district_welcome=data["other_district_welcome"],
                for_district=data.get("for_district", False),
            )
        except REFUSALS as error:
            return refuse(request, error, template="mentoring/ask.html", context=context)
        messages.success(request, "Your request is saved. Pick a mentor from the suggestions below.")
        return redirect(mentor_request.get_absolute_url())
    return render(request, "mentoring/ask.html", context)


def _request_context(access, mentor_request):
    live = mentor_request.pairings.filter(status__in=[Pairing.Status.ASKED, Pairing.Status.ACTIVE])
    live = live.select_related("mentor").first()
    return {
        "community": access.community,
        "access": access,
        "mentor_request": mentor_request,
        "focus_areas": list(mentor_request.focus_areas.all()),
        "live": live,
        "suggestions": selectors.suggestions_for(request=mentor_request) if live is None else [],
        "is_mentee": mentor_request.mentee_id == access.user.pk,
    }


@community_view("post")
def request_detail(request, access, request_id):
    mentor_request = selectors.request_for(access=access, request_id=request_id)
    return render(request, "mentoring/request.html", _request_context(access, mentor_request))


@require_POST
@community_view("post")
def ask_mentor(request, access, request_id):
    mentor_request = selectors.request_for(access=access, request_id=request_id)
    suggested_by = request.user if mentor_request.mentee_id != request.user.pk else None
    try:
        profile_id = int(request.POST.get("profile", ""))
    except ValueError:
        profile_id = 0
    try:
        if profile_id <= 0:
            raise ValidationError("Pick a mentor from the list first.")
        pairing = services.ask_mentor(
            access=access, request=mentor_request, profile_id=profile_id, suggested_by=suggested_by
        )
    except REFUSALS as error:
        return refuse(
            request, error, template="mentoring/request.html", context=_request_context(access, mentor_request)
        )
    if suggested_by is not None:
        messages.success(request, f"You suggested {pairing.mentor.name}; they can now accept or decline.")
        return redirect("mentoring:leaders", slug=access.community.slug)
    messages.success(request, f"We asked {pairing.mentor.name}. You will see their answer here.")
    return redirect(pairing.get_absolute_url())


def _pair_context(access, pairing, **forms):
    context = {
        "community": access.community,
        "access": access,
        "pairing": pairing,
        "other": pairing.other(access.user),
        "is_mentor": pairing.mentor_id == access.user.pk,
        "message_form": forms.get("message_form") or MessageForm(),
        "respond_form": forms.get("respond_form") or RespondForm(),
        "end_form": forms.get("end_form") or EndForm(),
        "goal_text": forms.get("goal_text", ""),
        "cadences": Pairing.Cadence.choices,
    }
    context.update(selectors.pair_space(pairing=pairing))
    return context


def _refuse_on_pair(request, access, pairing, error, **forms):
    return refuse(request, error, template="mentoring/pair.html", context=_pair_context(access, pairing, **forms))


@pair_view
def pair(request, access, pairing):
    return render(request, "mentoring/pair.html", _pair_context(access, pairing))


@require_POST
@pair_view
def respond(request, access, pairing):
    form = RespondForm(request.POST)
    accept = request.POST.get("answer") == "accept"
    try:
        if not form.is_valid():
            raise ValidationError(_form_problems(form))
        services.respond(
            access=access,
            pairing=pairing,
            accept=accept,
            note=form.cleaned_data["note"],
            cadence_days=form.cleaned_data["cadence_days"],
        )
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error, respond_form=form)
    if accept:
        messages.success(request, f"You are now {pairing.mentee.name}'s mentor. Say hello below.")
        return redirect(pairing.get_absolute_url())
    messages.success(request, f"You declined {pairing.mentee.name}'s request; they can ask someone else.")
    return redirect("mentoring:home", slug=access.community.slug)


@require_POST
@pair_view
def post_message(request, access, pairing):
    form = MessageForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError(f"Your message was not sent. {_form_problems(form)}")
        services.post_message(
            access=access, pairing=pairing, body=form.cleaned_data["body"], file=form.cleaned_data["file"]
        )
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error, message_form=form)
    return redirect(f"{pairing.get_absolute_url()}#messages")


@pair_view
def attachment(request, access, pairing, message_id):
    message = Message.objects.filter(pairing=pairing, pk=message_id).exclude(file="").first()
    if message is None:
        raise Http404("No file found.")
    try:
        handle = message.file.storage.open(message.file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=message.file_name or "file",
        content_type=message.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@pair_view
def add_goal(request, access, pairing):
    text = request.POST.get("text", "")
    try:
        services.add_goal(access=access, pairing=pairing, text=text)
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error, goal_text=text)
    return redirect(f"{pairing.get_absolute_url()}#goals")


@require_POST
@pair_view
def tick_goal(request, access, pairing, goal_id):
    try:
        services.set_goal_done(access=access, pairing=pairing, goal_id=goal_id, done=request.POST.get("done") == "1")
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error)
    return redirect(f"{pairing.get_absolute_url()}#goals")


@require_POST
@pair_view
def set_cadence(request, access, pairing):
    try:
        cadence = int(request.POST.get("cadence_days", ""))
    except ValueError:
        cadence = 0
    try:
        services.set_cadence(access=access, pairing=pairing, cadence_days=cadence)
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error)
    messages.success(request, "Your check-in cadence is saved.")
    return redirect(pairing.get_absolute_url())


@require_POST
@pair_view
def check_in(request, access, pairing):
    try:
        minutes = int(request.POST.get("minutes") or 0)
    except ValueError:
        minutes = -1
    try:
        services.record_check_in(access=access, pairing=pairing, minutes=minutes, note=request.POST.get("note", ""))
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error)
    messages.success(request, "Check-in recorded. The next one comes with your cadence.")
    return redirect(pairing.get_absolute_url())


@require_POST
@pair_view
def end(request, access, pairing):
    form = EndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_form_problems(form))
        services.end_pairing(
            access=access,
            pairing=pairing,
            completed=form.cleaned_data["outcome"] == "completed",
            note=form.cleaned_data["note"],
        )
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error, end_form=form)
    messages.success(request, "The pairing has ended. Thank you for mentoring together.")
    return redirect(pairing.get_absolute_url())


@require_POST
@pair_view
def report(request, access, pairing, message_id):
    try:
        services.report_message(
            access=access, pairing=pairing, message_id=message_id, reason=request.POST.get("reason", "")
        )
    except REFUSALS as error:
        return _refuse_on_pair(request, access, pairing, error)
    messages.success(request, "Reported. The community's moderators can now read that one message.")
    return redirect(f"{pairing.get_absolute_url()}#messages")


@community_view("schedule")
def leaders(request, access):
    context = {"community": access.community, "access": access, **selectors.leaders_view(community=access.community)}
    return render(request, "mentoring/leaders.html", context)
