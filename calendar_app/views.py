from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calendar_app import selectors, services
from calendar_app.forms import (
    ActivityForm,
    AttendanceForm,
    CheckInForm,
    MoveOccurrenceForm,
    OccurrenceForm,
    PlanCellForm,
    ResponsibilityForm,
    ResponsibilityStatusForm,
    RotationForm,
    RSVPForm,
)
from calendar_app.fragments import month_markup
from calendar_app.models import RSVP, Activity, Attendance, Responsibility, Rotation, parse_occurrence_key
from calendar_app.subscribe import feed_links
from communities.models import Community, Membership
from communities.permissions import community_view
from core.pagecache import cached_page
from core.panels import collect
from core.refusals import REFUSALS, refuse

UPCOMING_DATES = 12


def _activity(access, pk):
    """An activity of this community (another community's id is a 404)."""
    return get_object_or_404(
        Activity.objects.select_related("community", "focus_area", "organizer").prefetch_related("exceptions"),
        pk=pk,
        community=access.community,
    )


# -- the month ---------------------------------------------------------------


# The page shows members a secret feed link: browsers and proxies must not keep it.
@never_cache
@community_view("see")
@cached_page(params=("month",))
def month(request, access):
    community = access.community
    first = selectors.parse_month(request.GET.get("month", ""), timezone.localdate())
    if first is None:
        return render(
            request,
            "calendar_app/bad_month.html",
            {"community": community, "access": access, "value": request.GET.get("month", "")[:20]},
            status=400,
        )
    context = {
        "community": community,
        "access": access,
        "first": first,
        "grid": month_markup(community=community, first=first),
        "previous": selectors.add_months(first, -1),
        "next": selectors.add_months(first, 1),
        "feed": feed_links(_community_feed_url(request, community), name=community.name),
    }
    if request.user.is_authenticated and access.is_member:
        context["my_responsibilities"] = selectors.member_duties(
            community=community,
            user=request.user,
            membership=access.membership,
            start=first,
            end=selectors.add_months(first, 3),
        )
    return render(request, "calendar_app/month.html", context)


def _community_feed_url(request, community):
    url = request.build_absolute_uri(f"/c/{community.slug}/calendar.ics")
    if community.is_public:
        return url
    if not request.user.is_authenticated:
        return None
    token = services.community_feed_token(user=request.user, community=community)
    return f"{url}?token={token}" if token else None


# -- scheduling ----------------------------------------------------------------


@community_view("schedule")
def new_activity(request, access):
    community = access.community
    form = ActivityForm(request.POST or None, community=community)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                activity = services.schedule_activity(
                    access=access,
                    responsibility=form.responsibility(),
                    rotation=form.rotation(),
                    **form.activity_fields(),
                )
            except ValidationError as exc:
                form.add_error(None, ValidationError(exc.messages))
            else:
                messages.success(request, f"“{activity.title}” is on the calendar.")
                return redirect(activity.get_absolute_url())
        status = 400
    return render(
        request,
        "calendar_app/activity_form.html",
        {"community": community, "access": access, "form": form},
        status=status,
    )


@community_view("schedule")
def edit_activity(request, access, pk):
    activity = _activity(access, pk)
    form = ActivityForm(
        request.POST or None,
        community=access.community,
        with_responsibility=False,
        initial=ActivityForm.initial_for(activity),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                activity = services.update_activity(access=access, activity=activity, **form.activity_fields())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Saved. Subscribed calendars will pick up the change.")
                return redirect(activity.get_absolute_url())
        status = 400
    context = {"community": access.community, "access": access, "form": form, "activity": activity}
    return render(request, "calendar_app/activity_form.html", context, status=status)


def _confirm(request, access, **context):
    """The page that asks before a delete; its button POSTs to the same address."""
    context = {"community": access.community, "access": access, "active": "calendar", **context}
    return render(request, "confirm.html", context)


@require_http_methods(["GET", "POST"])
@community_view("schedule")
def delete_activity(request, access, pk):
    activity = _activity(access, pk)
    title = activity.title
    if request.method != "POST":
        return _confirm(
            request,
            access,
            question=f"Delete “{title}”?",
            consequences=selectors.what_deleting_removes(activity=activity),
            confirm_label="Delete the activity",
            cancel_url=activity.get_absolute_url(),
        )
    services.delete_activity(access=access, activity=activity)
    messages.success(request, f"“{title}” is off the calendar.")
    return redirect("calendar_app:month", slug=access.community.slug)


def _back_to(access, activity):
    return {
        "community": access.community,
        "access": access,
        "active": "calendar",
        "back": activity.get_absolute_url(),
        "back_label": "Back to the activity",
    }


def _occurrence_post(request, access, pk, form_class, action):
    activity = _activity(access, pk)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        action(activity, form.cleaned_data)
    except REFUSALS as error:
        return refuse(request, error, context=_back_to(access, activity))
    return redirect(activity.get_absolute_url())


@require_POST
@community_view("schedule")
def cancel_occurrence(request, access, pk):
    def action(activity, data):
        services.cancel_occurrence(access=access, activity=activity, original_start=data["occurrence"])
        messages.success(request, "That date is cancelled. Subscribed calendars will drop it.")

    return _occurrence_post(request, access, pk, OccurrenceForm, action)


@require_POST
@community_view("schedule")
def restore_occurrence(request, access, pk):
    def action(activity, data):
        services.restore_occurrence(access=access, activity=activity, original_start=data["occurrence"])
        messages.success(request, "That date is back as planned.")

    return _occurrence_post(request, access, pk, OccurrenceForm, action)


@require_POST
@community_view("schedule")
def move_occurrence(request, access, pk):
    def action(activity, data):
        services.move_occurrence(
            access=access, activity=activity, original_start=data["occurrence"], new_start=data["new_start"]
        )
        messages.success(request, "That date is moved.")

    return _occurrence_post(request, access, pk, MoveOccurrenceForm, action)


# -- one activity ------------------------------------------------------------------


def _chosen_occurrence(activity, key):
    """The occurrence the page is about: the one named, else the next one to come (cancelled ones skipped)."""
    if not activity.is_recurring:
        occurrences = activity.occurrences_between(activity.start, activity.end + timedelta(seconds=1))
        return occurrences[0] if occurrences else None
    if key:
        moment = parse_occurrence_key(key)
        if moment is None or not activity.is_original_start(moment):
            raise Http404("This activity has no such date.")
        window = activity.occurrences_between(
            min(moment, _moved_to(activity, moment)) - timedelta(days=1),
            max(moment, _moved_to(activity, moment)) + activity.duration + timedelta(days=1),
            include_cancelled=True,
        )
        for occurrence in window:
            if occurrence.original_start == moment:
                return occurrence
        raise Http404("This activity has no such date.")
    now = timezone.now()
    upcoming = activity.occurrences_between(now, now + timedelta(days=3660), limit=UPCOMING_DATES)
    if upcoming:
        return upcoming[0]
    # The last date so far: a window just before it, never the whole past of the series.
    last = activity.rule().before(now.astimezone(activity.zone))
    since = last - activity.duration - timedelta(days=1) if last is not None else activity.span_start
    past = activity.occurrences_between(since, now, limit=UPCOMING_DATES)
    return past[-1] if past else None


def _moved_to(activity, moment):
    for change in activity.exceptions.all():
        if change.original_start == moment and change.new_start is not None:
            return change.new_start
    return moment


def _upcoming_dates(activity):
    now = timezone.now()
    return activity.occurrences_between(now, now + timedelta(days=3660), include_cancelled=True, limit=UPCOMING_DATES)[
        :UPCOMING_DATES
    ]


def _rsvp_context(request, access, activity, occurrence):
    key_start = occurrence.original_start if occurrence is not None else None
    context = {
        "counts": selectors.rsvp_summary(activity=activity, occurrence_start=key_start),
        "may_see_rsvp_list": access.may_edit(activity.organizer_id),
        "rsvp_open": (
            occurrence is not None and not occurrence.cancelled and occurrence.end > timezone.now() and access.may_post
        ),
        "occurrence": occurrence,
    }
    if context["may_see_rsvp_list"]:
        context["rsvps"] = selectors.rsvps_for(activity=activity, occurrence_start=key_start)
    context.update(_attendance_context(request, access, activity, occurrence))
    if request.user.is_authenticated and access.is_member:
        mine = RSVP.objects.filter(activity=activity, user=request.user, occurrence_start=key_start).first()
        context["my_rsvp"] = mine
        context["rsvp_form"] = RSVPForm(
            initial={"response": mine.response if mine else "", "occurrence": occurrence.key if occurrence else ""}
        )
    return context


@community_view("see")
@cached_page(params=("occurrence",))
def activity_detail(request, access, pk):
    activity = _activity(access, pk)
    occurrence = _chosen_occurrence(activity, request.GET.get("occurrence", ""))
    upcoming = _upcoming_dates(activity) if activity.is_recurring else []
    responsibilities = list(selectors.responsibilities_of_activity(activity=activity))
    for responsibility in responsibilities:
        responsibility.may_update = services.may_update_responsibility(access, responsibility)
    context = {
        "community": access.community,
        "access": access,
        "activity": activity,
        "upcoming": upcoming,
        "responsibilities": responsibilities,
        **_rsvp_context(request, access, activity, occurrence),
        # Apps above the calendar (chats) add to the page through this slot.
        "panels": collect("activity_panel", activity=activity, viewer=request.user, access=access),
    }
    if access.may_schedule:
        context["responsibility_form"] = ResponsibilityForm(
            activity=activity, occurrences=[o for o in upcoming if not o.cancelled]
        )
        context["move_form"] = MoveOccurrenceForm()
        if activity.is_recurring:
            context["rotations"] = _rotations_of(activity)
            context["rotation_form"] = RotationForm(community=access.community)
    return render(request, "calendar_app/activity.html", context)


def _rotations_of(activity):
    return list(activity.rotations.prefetch_related("turns__district"))


def _rsvp_box(request, access, activity, key, **extra):
    try:
        occurrence = _chosen_occurrence(activity, key[:20])
    except Http404:
        occurrence = None
    context = {"community": access.community, "access": access, "activity": activity}
    return {**context, **_rsvp_context(request, access, activity, occurrence), **extra}


@require_POST
@community_view("post")
def rsvp(request, access, pk):
    activity = _activity(access, pk)
    form = RSVPForm(request.POST)
    occurrence_start = None
    try:
        if not form.is_valid():
            raise ValidationError("Pick going, maybe or not going.")
        if activity.is_recurring:
            occurrence_start = parse_occurrence_key(form.cleaned_data["occurrence"])
        services.respond(
            access=access,
            activity=activity,
            occurrence_start=occurrence_start,
            response=form.cleaned_data["response"],
        )
    except REFUSALS as error:
        if request.htmx:
            # The box again, with the message and what the person picked (nothing was saved).
            context = _rsvp_box(request, access, activity, request.POST.get("occurrence", ""))
            context["rsvp_form"] = form
            return refuse(request, error, fragment="calendar_app/includes/rsvp.html", context=context)
        return refuse(request, error, context=_back_to(access, activity))
    if request.htmx:
        context = _rsvp_box(request, access, activity, request.POST.get("occurrence", ""), rsvp_saved=True)
        return render(request, "calendar_app/includes/rsvp.html", context)
    messages.success(request, "Thanks, your answer is saved.")
    url = activity.get_absolute_url()
    if occurrence_start is not None:
        url += f"?occurrence={form.cleaned_data['occurrence']}"
    return redirect(url)


# -- responsibilities ----------------------------------------------------------


@require_POST
@community_view("schedule")
def add_responsibility(request, access, pk):
    activity = _activity(access, pk)
    form = ResponsibilityForm(request.POST, activity=activity, occurrences=_upcoming_dates(activity))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_responsibility(
                access=access,
                activity=activity,
                district=data["district"],
                task=data["task"],
                assignee=data["assignee"],
                occurrence_start=data.get("occurrence"),
                due_date=data["due_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{data['district']} is down to {data['task']}.")
            return redirect(activity.get_absolute_url())
    context = {"community": access.community, "access": access, "activity": activity, "form": form}
    return render(request, "calendar_app/responsibility_form.html", context, status=400)


def _responsibility(access, pk):
    return get_object_or_404(
        Responsibility.objects.select_related("activity", "activity__community", "district"),
        pk=pk,
        activity__community=access.community,
    )


@require_POST
@community_view("post")
def responsibility_status(request, access, pk):
    responsibility = _responsibility(access, pk)
    form = ResponsibilityStatusForm(request.POST)
    if not form.is_valid():
        return refuse(request, ValidationError("Pick open or done."), context=_back_to(access, responsibility.activity))
    services.set_responsibility_status(access=access, responsibility=responsibility, status=form.cleaned_data["status"])
    messages.success(request, "Marked done. Thank you!" if responsibility.is_done else "Marked open again.")
    return redirect(request.POST.get("next") if _safe_next(request) else responsibility.activity.get_absolute_url())


def _safe_next(request):
    target = request.POST.get("next", "")
    return target.startswith("/") and not target.startswith("//")


@require_http_methods(["GET", "POST"])
@community_view("schedule")
def delete_responsibility(request, access, pk):
    responsibility = _responsibility(access, pk)
    activity = responsibility.activity
    if request.method != "POST":
        return _confirm(
            request,
            access,
            question=f"Remove this responsibility from “{activity.title}”?",
            subject=f"{responsibility.district.name}: {responsibility.task}",
            consequences=[f"Take it off {responsibility.district.name}'s list and out of their digest."],
            confirm_label="Remove the responsibility",
            cancel_url=activity.get_absolute_url(),
        )
    services.delete_responsibility(access=access, responsibility=responsibility)
    messages.success(request, "Responsibility removed.")
    return redirect(activity.get_absolute_url())


# -- rotations -------------------------------------------------------------------


def _rotation(access, pk):
    return get_object_or_404(
        Rotation.objects.select_related("activity", "activity__community").prefetch_related("turns__district"),
        pk=pk,
        activity__community=access.community,
    )


def _rotation_values(form):
    data = form.cleaned_data
    return {"task": data["task"], "districts": data["districts"], "days_before": data["days_before"]}


@require_POST
@community_view("schedule")
def add_rotation(request, access, pk):
    activity = _activity(access, pk)
    form = RotationForm(request.POST, community=access.community)
    if form.is_valid():
        try:
            rotation = services.create_rotation(access=access, activity=activity, **_rotation_values(form))
        except ValidationError as exc:
            form.add_error(None, ValidationError(exc.messages))
        else:
            messages.success(request, f"“{rotation.task}” now passes from district to district, one date at a time.")
            return redirect(activity.get_absolute_url())
    context = {"community": access.community, "access": access, "activity": activity, "form": form}
    return render(request, "calendar_app/rotation_form.html", context, status=400)


@require_http_methods(["GET", "POST"])
@community_view("schedule")
def edit_rotation(request, access, pk):
    rotation = _rotation(access, pk)
    activity = rotation.activity
    form = RotationForm(request.POST or None, community=access.community, rotation=rotation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_rotation(access=access, rotation=rotation, **_rotation_values(form))
            except ValidationError as exc:
                form.add_error(None, ValidationError(exc.messages))
            else:
                messages.success(request, "Saved. Dates still to come follow the new order; past dates keep theirs.")
                return redirect(activity.get_absolute_url())
        status = 400
    context = {
        "community": access.community,
        "access": access,
        "activity": activity,
        "form": form,
        "rotation": rotation,
    }
    return render(request, "calendar_app/rotation_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@community_view("schedule")
def delete_rotation(request, access, pk):
    rotation = _rotation(access, pk)
    activity = rotation.activity
    if request.method != "POST":
        return _confirm(
            request,
            access,
            question=f"Stop rotating “{rotation.task}”?",
            consequences=["Remove its open duties from every district's list. Duties already done stay."],
            confirm_label="Stop the rotation",
            cancel_url=activity.get_absolute_url(),
        )
    services.delete_rotation(access=access, rotation=rotation)
    messages.success(request, "The rotation is stopped.")
    return redirect(activity.get_absolute_url())


def _plan_cell_context(access, row, districts, first, **extra):
    return {
        "community": access.community,
        "access": access,
        "row": row,
        "districts": districts,
        "first": first,
        **extra,
    }


@require_POST
@community_view("schedule")
def plan_cell(request, access):
    """Fill or change one date of a rotation on the plan: the cell again (htmx) or back to the plan."""
    form = PlanCellForm(request.POST)
    community = access.community
    first = selectors.parse_month(request.POST.get("from", "")[:7], timezone.localdate()) or timezone.localdate()
    rotation = None
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        rotation = get_object_or_404(
            Rotation.objects.select_related("activity", "activity__community"),
            pk=data["rotation"],
            activity__community=community,
        )
        district = community.districts.filter(pk=data["district"]).first()
        duty = services.assign_rotation_date(
            access=access, rotation=rotation, original_start=data["occurrence"], district=district
        )
    except REFUSALS as error:
        return refuse(request, error, context={"community": community, "access": access, "active": "calendar"})
    if request.htmx:
        row = selectors.PlanRow(
            start=duty.when,
            activity=rotation.activity,
            duty=duty,
            rotation=rotation,
            original_start=duty.occurrence_start,
        )
        districts = list(community.districts.order_by("name"))
        return render(
            request,
            "calendar_app/includes/plan_cell.html",
            _plan_cell_context(access, row, districts, first, saved=True),
        )
    messages.success(request, f"{duty.district.name} {duty.task} for {rotation.activity.title}.")
    return redirect(f"{reverse('calendar_app:plan', kwargs={'slug': community.slug})}?from={first:%Y-%m}")


@require_POST
@community_view("schedule")
def copy_plan(request, access):
    """Copy the year's repeating activities and their rotations to the year after."""
    community = access.community
    first = selectors.parse_month(request.POST.get("from", "")[:7], timezone.localdate())
    if first is None:
        return refuse(request, ValidationError("Pick the year to copy from the plan page."))
    copies = services.copy_plan_to_next_year(access=access, first=first)
    if copies:
        names = ", ".join(f"“{copy.title}”" for copy in copies)
        messages.success(request, f"Copied to the next year with their rotations: {names}.")
    else:
        messages.info(request, "Nothing to copy: the next year already has these activities, or none repeats.")
    plan_url = reverse("calendar_app:plan", kwargs={"slug": community.slug})
    return redirect(f"{plan_url}?from={selectors.add_months(first, 12):%Y-%m}")


@community_view("schedule")
def plan(request, access):
    community = access.community
    first = selectors.parse_month(request.GET.get("from", ""), timezone.localdate())
    if first is None:
        return render(
            request,
            "calendar_app/bad_month.html",
            {"community": community, "access": access, "value": request.GET.get("from", "")[:20]},
            status=400,
        )
    context = {
        "community": community,
        "access": access,
        "first": first,
        # A district leader sees their own district's duties first in each month.
        "plan": selectors.plan_by_month(
            community=community,
            first=first,
            district_first=access.confirmed_district_id if access.is_district_leader else None,
        ),
        "districts": list(community.districts.order_by("name")),
        "previous": selectors.add_months(first, -12),
        "next": selectors.add_months(first, 12),
    }
    return render(request, "calendar_app/plan.html", context)


# -- feeds ---------------------------------------------------------------------


def _ics(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _feeds():
    """calendar_app.feeds, imported by the feed views only: icalendar is 1.4 MiB of code in every web worker."""
    from calendar_app import feeds

    return feeds


@require_GET
@never_cache
@community_view("see")
def activity_ics(request, access, pk):
    """“Add to calendar”: one activity (with its repeats and exceptions) as a file."""
    activity = _activity(access, pk)
    body = _feeds().build_calendar([activity], name=activity.title)
    response = _ics(body, f"{slugify(activity.title)[:50] or 'activity'}.ics")
    response["Content-Disposition"] = response["Content-Disposition"].replace("inline", "attachment")
    return response


@require_GET
@never_cache
def community_feed(request, slug):
    """The community's feed: open for public communities; otherwise only through a member's link.

    Not behind community_view: calendar apps send no cookies, so the token in the link is
    the permission, and it is read before anything else, whatever the visibility (a hidden
    community's members subscribe too). A token made for another community, a reset one, a
    former member's or an inactive account's, or none, is the same bare 404 as a community
    that does not exist.
    """
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404("No calendar here.")
    if not community.is_public:
        reader = services.community_feed_reader(community=community, token=request.GET.get("token", ""))
        if reader is None:
            raise Http404("No calendar here.")
    feeds = _feeds()
    body = feeds.build_calendar(feeds.feed_activities(communities_q=Q(community=community)), name=community.name)
    return _ics(body, f"{community.slug}.ics")


@require_GET
@never_cache
def personal_feed(request, token):
    """Every activity of every community the token's owner belongs to."""
    owner = services.personal_feed_owner(token=token)
    if owner is None:
        raise Http404("No calendar here.")
    mine = Membership.objects.filter(user=owner).values("community_id")
    feeds = _feeds()
    body = feeds.build_calendar(feeds.feed_activities(communities_q=Q(community__in=mine)), name="My communities")
    return _ics(body, "my-communities.ics")


@never_cache
@login_required
def my_calendar(request):
    now = timezone.now()
    start = selectors.local_midnight(timezone.localdate())
    occurrences = selectors.upcoming_occurrences_for(user=request.user, start=start, end=now + timedelta(days=62))
    token = services.feed_token_for(user=request.user)
    context = {
        "occurrences": occurrences,
        # Overdue ones first, however old: they stay until someone marks them done.
        "responsibilities": selectors.duties_needing(
            user=request.user, until=timezone.localdate() + timedelta(days=366)
        ),
        "leads": Community.objects.filter(selectors.led_communities_q(request.user)).exists(),
        "feed": feed_links(token and request.build_absolute_uri(f"/calendar/{token}.ics"), name="My communities"),
        "communities": selectors.my_communities(user=request.user),
    }
    return render(request, "calendar_app/my_calendar.html", context)


@require_GET
@never_cache
@login_required
def overdue(request):
    """Leaders: every overdue responsibility in the communities they lead, by district, to chase or mark done."""
    groups = selectors.overdue_for_leader(user=request.user)
    context = {
        "groups": groups,
        "count": sum(len(group.duties) for group in groups),
        "limit": selectors.OVERDUE_LIMIT,
        "leads": groups or Community.objects.filter(selectors.led_communities_q(request.user)).exists(),
    }
    return render(request, "calendar_app/overdue.html", context)


@require_POST
@login_required
def reset_feed_token(request):
    services.reset_feed_token(user=request.user)
    messages.success(request, "Your calendar links are new. Calendars subscribed with the old links stop updating.")
    return redirect("calendar_app:my_calendar")


# -- attendance ------------------------------------------------------------------


def _attendance_context(request, access, activity, occurrence):
    """What the activity page shows about attendance: the host's code and link, a member's check-in."""
    if occurrence is None or occurrence.cancelled:
        return {}
    now = timezone.now()
    key_start = occurrence.original_start
    context = {"attendance_started": occurrence.start <= now}
    if services.may_mark_attendance(access, activity):
        context["may_mark_attendance"] = True
        if services.check_in_open(occurrence.start, occurrence.end, now):
            context["check_in_code"] = services.check_in_code(activity, key_start)
    if request.user.is_authenticated and access.is_member:
        context["my_attendance"] = Attendance.objects.filter(
            activity=activity, user=request.user, occurrence_start=key_start
        ).first()
        if context["my_attendance"] is None and services.check_in_open(occurrence.start, occurrence.end, now):
            context["check_in_form"] = CheckInForm(initial={"occurrence": occurrence.key}, auto_id="checkin_%s")
    return context


def _occurrence_for_attendance(activity, key):
    """The original start a key names (None for a one-off), or a ValidationError."""
    if not activity.is_recurring:
        return None
    moment = parse_occurrence_key(key)
    if moment is None:
        raise ValidationError("Pick one of this activity's dates.")
    return moment


@require_http_methods(["GET", "POST"])
@community_view("post")
def attendance(request, access, pk):
    """The host or a leader marks who came to a date that has begun (pre-ticked from "going")."""
    activity = _activity(access, pk)
    key = (request.POST.get("occurrence") if request.method == "POST" else request.GET.get("occurrence", "")) or ""
    members = selectors.attendance_members(community=access.community)
    back = _back_to(access, activity)
    try:
        if not services.may_mark_attendance(access, activity):
            raise PermissionDenied("Only the host or a leader can mark attendance.")
        original = _occurrence_for_attendance(activity, key[:20])
        _original, start, end = services.occurrence_times(activity, original)
        if start > timezone.now():
            raise ValidationError("That date has not happened yet. Mark attendance once it has started.")
    except REFUSALS as error:
        return refuse(request, error, context=back)
    marked = selectors.attended_user_ids(activity=activity, occurrence_start=original)
    initial = marked or selectors.going_user_ids(activity=activity, occurrence_start=original)
    form = AttendanceForm(
        request.POST or None, members=members, initial={"occurrence": key[:20], "attendees": sorted(initial)}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                count = services.mark_attendance(
                    access=access,
                    activity=activity,
                    occurrence_start=original,
                    attendees=list(form.cleaned_data["attendees"]),
                )
            except REFUSALS as error:
                return refuse(request, error, context=back)
            messages.success(request, f"Attendance saved: {count} {'person' if count == 1 else 'people'}.")
            url = activity.get_absolute_url()
            return redirect(f"{url}?occurrence={key[:20]}" if original is not None else url)
        status = 400
    context = {
        **back,
        "activity": activity,
        "form": form,
        "start": start,
        "end": end,
        "prefilled_from_going": not marked,
    }
    return render(request, "calendar_app/attendance.html", context, status=status)


@require_POST
@community_view("post")
def check_in(request, access, pk):
    activity = _activity(access, pk)
    form = CheckInForm(request.POST)
    key = request.POST.get("occurrence", "")[:20]
    try:
        if not form.is_valid():
            raise ValidationError("Type the code your host is showing.")
        original = _occurrence_for_attendance(activity, form.cleaned_data["occurrence"])
        services.check_in(access=access, activity=activity, occurrence_start=original, code=form.cleaned_data["code"])
    except REFUSALS as error:
        return refuse(request, error, context=_back_to(access, activity))
    messages.success(request, "You are checked in. It counts on your professional-development record.")
    url = activity.get_absolute_url()
    return redirect(f"{url}?occurrence={key}" if activity.is_recurring else url)
