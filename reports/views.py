from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from communities.models import Community, Membership
from communities.permissions import community_view
from reports import goals as goals_selectors
from reports import health as health_selectors
from reports import permissions, selectors, services
from reports.csvexport import csv_response
from reports.forms import GoalForm
from reports.models import Certificate, CharterGoal
from reports.pdf import render_pdf
from reports.periods import period_from, school_year_start


def _period(request, params=None):
    """``(period, None)`` or ``(None, message)`` for the ``from``/``to`` the request gives."""
    try:
        return period_from(params if params is not None else request.GET), None
    except ValidationError as error:
        return None, " ".join(error.messages)


def _typed(params):
    return {"from": (params.get("from") or "")[:20], "to": (params.get("to") or "")[:20]}


# -- my record -------------------------------------------------------------------


@never_cache
@login_required
def my_record(request):
    """The member's own record for a period (default: the school year so far) and their certificates."""
    period, problem = _period(request)
    context = {"typed": _typed(request.GET), "problem": problem, "period": period, "person": request.user}
    if period is None:
        return render(request, "reports/my_record.html", context, status=400)
    context["records"] = selectors.record_for(person=request.user, period=period)
    context["certificates"] = Certificate.objects.filter(user=request.user).order_by("-issued_at")[:20]
    context["school_year_start"] = school_year_start(period.last)
    return render(request, "reports/my_record.html", context)


@require_POST
@login_required
def issue_certificate(request):
    raw = request.POST.get("community") or ""
    community = Community.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None
    period, problem = _period(request, request.POST)
    if community is None or not Membership.objects.filter(user=request.user, community=community).exists():
        problem = "Pick one of your communities."
    if problem is None:
        try:
            certificate = services.issue_certificate(user=request.user, community=community, period=period)
        except (ValidationError, PermissionDenied) as error:
            problem = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    if problem is not None:
        shown, _ = _period(request)
        context = {
            "typed": _typed(request.POST),
            "problem": problem,
            "period": shown,
            "person": request.user,
            "records": selectors.record_for(person=request.user, period=shown) if shown else [],
            "certificates": Certificate.objects.filter(user=request.user).order_by("-issued_at")[:20],
        }
        return render(request, "reports/my_record.html", context, status=400)
    messages.success(request, "Your certificate is ready. Anyone can check it with the link printed on it.")
    return redirect("reports:certificate_pdf", code=certificate.code)


def _certificate_pdf_response(request, certificate):
    body = render_pdf(
        "reports/certificate_pdf.html",
        {
            "certificate": certificate,
            "verify_url": request.build_absolute_uri(certificate.get_absolute_url()),
        },
        base_url=request.build_absolute_uri("/"),
    )
    response = HttpResponse(body, content_type="application/pdf")
    name = slugify(f"certificate {certificate.community_name} {certificate.first_day} {certificate.last_day}")
    response["Content-Disposition"] = f'attachment; filename="{name[:80]}.pdf"'
    return response


@require_GET
@never_cache
@login_required
def certificate_pdf(request, code):
    """The certificate as a PDF, for the member it was issued to."""
    certificate = Certificate.objects.filter(code=code[:40], user=request.user).first()
    if certificate is None:
        raise Http404("You have no certificate with that code.")
    return _certificate_pdf_response(request, certificate)


@require_GET
def verify(request, code):
    """Anyone may check a certificate: what it says, or a clear page when no certificate has that code."""
    certificate = Certificate.objects.filter(code=code[:40]).first()
    if certificate is None:
        return render(request, "reports/verify_unknown.html", {"code": code[:40]}, status=404)
    return render(request, "reports/verify.html", {"certificate": certificate})


# -- what leaders see ------------------------------------------------------------


@never_cache
@community_view("post")
def member_record(request, access, username):
    """One member's record in this community: for its managers and the member's district leaders."""
    person = get_object_or_404(
        get_user_model().objects.select_related("district"),
        username=username,
        memberships__community=access.community,
    )
    if not permissions.may_see_record(access, person):
        raise PermissionDenied("Only the member, their district leaders and this community's moderators see a record.")
    period, problem = _period(request)
    context = {
        "community": access.community,
        "access": access,
        "person": person,
        "typed": _typed(request.GET),
        "problem": problem,
        "period": period,
    }
    if period is None:
        return render(request, "reports/member_record.html", context, status=400)
    context["records"] = selectors.record_for(person=person, period=period, communities=[access.community])
    return render(request, "reports/member_record.html", context)


@require_GET
@never_cache
@community_view("post")
def hours_csv(request, access):
    """Hours per member: a district leader gets their district's members, a manager everyone."""
    if not permissions.may_see_health(access):
        raise PermissionDenied("Only district leaders and moderators of this community can download hours.")
    period, problem = _period(request)
    if period is None:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    rows = selectors.district_hours(
        community=access.community, period=period, district_id=permissions.district_scope(access)
    )
    return csv_response(
        f"hours-{access.community.slug}-{period.first}-{period.last}.csv",
        ["Member", "Username", "District", "Sessions attended", "Hours"],
        (
            [
                m.user.name,
                m.user.username,
                m.user.district.name if m.user.district else "",
                m.sessions,
                round(m.minutes / 60, 2),
            ]
            for m in rows
        ),
    )


# -- the health dashboard ----------------------------------------------------------


def _health_access(access):
    if not permissions.may_see_health(access):
        raise PermissionDenied("Only moderators and district leaders of this community see its health.")
    if access.may_moderate:
        return None
    if access.user.district is None:
        raise PermissionDenied("Set your district in your settings to see your district against the community.")
    return access.user.district


def _report_context(request, access):
    """What the dashboard and the impact report both start from: the period asked for (None with a
    ``problem`` when it is not one), what was typed, and the viewer's own district (district leaders)."""
    own = _health_access(access)  # refuses first, whatever the period says
    period, problem = _period(request)
    return {
        "community": access.community,
        "access": access,
        "typed": _typed(request.GET),
        "problem": problem,
        "period": period,
        "own_district": own,
    }


@never_cache
@community_view("post")
def health(request, access):
    """The community's health for a period (default: the school year so far, by month)."""
    context = _report_context(request, access)
    period, own = context["period"], context["own_district"]
    if period is None:
        return render(request, "reports/health.html", context, status=400)
    context["board"] = health_selectors.dashboard(community=access.community, period=period, own_district=own)
    context["goals"] = goals_selectors.progress(community=access.community)
    return render(request, "reports/health.html", context)


@require_GET
@never_cache
@community_view("post")
def health_csv(request, access, table):
    own = _health_access(access)
    period, problem = _period(request)
    if period is None:
        return HttpResponse(problem, status=400, content_type="text/plain; charset=utf-8")
    board = health_selectors.dashboard(community=access.community, period=period, own_district=own)
    found = board.tables.get(table)
    if found is None:
        raise Http404("No such table.")
    return csv_response(f"{access.community.slug}-{table}-{period.first}-{period.last}.csv", found.header, found.rows)


# -- charter goals ------------------------------------------------------------------


@never_cache
@community_view("manage")
def goals(request, access):
    """The community's charter goals with their progress; moderators add (up to three) and remove them."""
    community = access.community
    form = GoalForm(request.POST or None, initial={"starts_on": school_year_start(timezone.localdate())})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.add_goal(access=access, **form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, problems in error.error_dict.items():
                        form.add_error(name if name in form.fields else None, problems)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, "Goal added. Its progress shows on the community's home and health pages.")
                return redirect("reports:goals", slug=community.slug)
        status = 400
    context = {
        "community": community,
        "access": access,
        "form": form,
        "goals": goals_selectors.progress(community=community),
        "max_goals": CharterGoal.MAX_PER_COMMUNITY,
    }
    return render(request, "reports/goals.html", context, status=status)


@require_POST
@community_view("manage")
def remove_goal(request, access, pk):
    goal = get_object_or_404(CharterGoal, pk=pk, community=access.community)
    services.remove_goal(access=access, goal=goal)
    messages.success(request, "Goal removed.")
    return redirect("reports:goals", slug=access.community.slug)


# -- the impact report -------------------------------------------------------------------


def _impact_context(request, access):
    context = _report_context(request, access)
    period, own = context["period"], context["own_district"]
    if period is not None:
        board = health_selectors.dashboard(community=access.community, period=period, own_district=own)
        context.update(
            board=board,
            participation=board.tables["active"],
            pulse=board.tables["pulse"],
            attendance=board.tables["attendance"],
            resources=board.tables["resources"],
            questions=board.tables["questions"],
            goals=goals_selectors.progress(community=access.community),
            highlights=health_selectors.highlights(community=access.community, period=period),
        )
    return context


@never_cache
@community_view("post")
def impact(request, access):
    """One printable page for a board or a grant: charter, goals, participation, pulse, highlights."""
    context = _impact_context(request, access)
    return render(request, "reports/impact.html", context, status=200 if context["period"] else 400)


@require_GET
@never_cache
@community_view("post")
def impact_pdf(request, access):
    context = _impact_context(request, access)
    period = context["period"]
    if period is None:
        return HttpResponse(context["problem"], status=400, content_type="text/plain; charset=utf-8")
    body = render_pdf("reports/impact_pdf.html", context, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="impact-{access.community.slug}-{period.first}-{period.last}.pdf"'
    )
    return response
