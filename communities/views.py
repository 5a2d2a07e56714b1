import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from communities import selectors, services
from communities.forms import (
    BulkInviteForm,
    ChooseDistrictForm,
    CommunityCreateForm,
    CommunitySettingsForm,
    DirectoryFilterForm,
    DistrictNameForm,
    FocusAreaForm,
    InvitationLinkForm,
    InviteForm,
    JoinForm,
    MemberFilterForm,
    MergeDistrictForm,
    RolesForm,
)
from communities.models import FocusArea, Invitation, InvitationLink, JoinRequest, Membership
from communities.permissions import access_for, community_view, may_create_community
from communities.selectors import (
    communities_for_directory,
    decided_join_requests,
    districts_of_members,
    focus_areas_with_leaders,
    home_areas_and_moderators,
    invitations_for,
    manage_summary,
    members_for_list,
    my_communities,
    pending_join_requests,
)
from communities.signals import INVITATION_SESSION_KEY
from core.pagecache import cached_page
from core.panels import collect
from core.ratelimit import RateLimited
from core.refusals import REFUSALS, message_for, refuse

MEMBERS_PER_PAGE = 100
ROLES_PER_PAGE = 50


@cached_page(community=False)
def site_home(request):
    """Members see their communities and what needs them; visitors the directory."""
    if request.user.is_authenticated:
        mine = my_communities(user=request.user)
        context = {"my_communities": mine, "panels": collect("site_home_panel", user=request.user, communities=mine)}
        return render(request, "home_member.html", context)
    context = {"communities": communities_for_directory(viewer=request.user)[:12]}
    return render(request, "home_visitor.html", context)


def _refused(request, access, error):
    """A refusal the person can act on, with its 4xx status; nothing was changed."""
    return refuse(request, error, context={"community": access.community, "access": access})


def _page(request, queryset, per_page):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


# -- directory and creating -------------------------------------------------------
@cached_page(community=False, params=("q", "audience"))
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    query, audience = "", ""
    if form.is_valid():
        query, audience = form.cleaned_data["q"], form.cleaned_data["audience"]
    communities = communities_for_directory(viewer=request.user, query=query, audience=audience)
    context = {"form": form, "communities": communities, "may_create": may_create_community(request.user)}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "communities/directory.html", context, status=status)


@login_required
def create(request):
    if not may_create_community(request.user):
        raise PermissionDenied(
            "Starting a community is for staff and for district leaders given the right. Ask a site administrator."
        )
    if request.method == "POST":
        form = CommunityCreateForm(request.POST)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "districts"}
            community = services.create_community(
                creator=request.user, fields=fields, districts=form.cleaned_data["districts"]
            )
            messages.success(request, f"{community.name} is ready and you are its moderator. Now add its focus areas.")
            return redirect("communities:manage_focus_areas", slug=community.slug)
        status = 400
    else:
        initial = {"districts": [request.user.district_id] if request.user.district_id else []}
        form = CommunityCreateForm(initial=initial)
        status = 200
    return render(request, "communities/create.html", {"form": form}, status=status)


# -- community pages ----------------------------------------------------------------
@community_view("view")
@cached_page()
def home(request, access):
    community = access.community
    follower = request.user if access.is_member else None
    # "What needs you": for members only; a visitor, a non-member or a former member sees no trace of it.
    # Asked before the panels: the community's first dates it works out serve "Coming up" too.
    needs = collect("needs_you", community=community, viewer=request.user, access=access) if access.is_member else []
    focus_areas, moderators = home_areas_and_moderators(community=community, follower=follower)
    context = {
        "community": community,
        "access": access,
        "focus_areas": focus_areas,
        "moderators": moderators,
        "join_form": JoinForm() if access.may_request_to_join else None,
        "panels": (
            collect("community_home_panel", community=community, viewer=request.user, access=access)
            if access.may_see
            else []
        ),
        "needs": needs,
    }
    return render(request, "communities/home.html", context)


@community_view("see")
@cached_page(params=("district", "role", "page"))
def members(request, access):
    community = access.community
    form = MemberFilterForm(request.GET or None, districts=districts_of_members(community=community))
    district, role, status = None, "", 200
    if form.is_bound:
        if form.is_valid():
            district, role = form.cleaned_data["district"], form.cleaned_data["role"]
        else:
            status = 400
    page = _page(request, members_for_list(community=community, district=district, role=role), MEMBERS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"community": community, "access": access, "form": form, "page": page, "query": query.urlencode()}
    return render(request, "communities/members.html", context, status=status)


@require_GET
@community_view("post")
def mention_candidates(request, access):
    """Members matching ``?q=`` for @-completion in a text box; only members (and staff) may ask."""
    people = selectors.mention_candidates(community=access.community, query=request.GET.get("q", ""))
    response = JsonResponse({"people": [{"username": u, "name": n} for u, n in people]})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@community_view("view")
def join(request, access):
    if not access.is_authenticated:
        return redirect_to_login(access.community.get_absolute_url())
    form = JoinForm(request.POST)
    if not form.is_valid():
        return _refused(request, access, ValidationError(form.errors["message"][0]))
    try:
        result = services.join_community(
            user=request.user, community=access.community, message=form.cleaned_data["message"]
        )
    except REFUSALS as error:
        return _refused(request, access, error)
    if isinstance(result, JoinRequest):
        messages.success(request, "Your request is sent. You will get an email when a moderator answers it.")
    else:
        messages.success(request, f"Welcome to {access.community.name}!")
    return redirect(access.community)


@require_POST
@community_view("post")
def leave(request, access):
    try:
        services.leave_community(access=access)
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(request, f"You left {access.community.name}.")
    # A hidden community no longer exists for someone who left it.
    return redirect("communities:directory" if access.community.is_hidden else access.community)


@require_POST
@community_view("post")
def follow_focus_area(request, access, area_slug, follow=True):
    area = get_object_or_404(FocusArea, community=access.community, slug=area_slug)
    services.follow_focus_area(access=access, focus_area=area, follow=follow)
    if request.htmx:
        context = {"community": access.community, "access": access, "area": area, "following": follow}
        return render(request, "communities/includes/follow_button.html", context)
    verb = "now follow" if follow else "no longer follow"
    messages.success(request, f"You {verb} {area.name}.")
    return redirect(access.community)


# -- manage area ----------------------------------------------------------------------
def _manage(request, access, template, section, status=200, **context):
    context = {"community": access.community, "access": access, "section": section, **context}
    return render(request, f"communities/manage/{template}.html", context, status=status)


@community_view("manage")
def manage(request, access):
    steps = collect("setup_step", community=access.community)
    return _manage(
        request,
        access,
        "overview",
        "overview",
        summary=manage_summary(community=access.community),
        steps=steps,
        steps_done=sum(1 for step in steps if step["done"]),
    )


@community_view("manage")
def manage_settings(request, access):
    community = access.community
    # A copy: an invalid form must not change the community the page header shows.
    form = CommunitySettingsForm(request.POST or None, instance=copy.copy(community))
    if request.method == "POST":
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "districts"}
            services.update_community(access=access, fields=fields, districts=form.cleaned_data["districts"])
            messages.success(request, "Settings saved.")
            return redirect("communities:manage_settings", slug=community.slug)
        return _manage(request, access, "settings", "settings", status=400, form=form)
    form.initial["districts"] = list(community.districts.values_list("pk", flat=True))
    return _manage(request, access, "settings", "settings", form=form)


def _save_focus_area(access, form, focus_area=None):
    """Create (or update) a focus area from a bound form; None, with the errors on the form, if it is refused."""
    if not form.is_valid():
        return None
    try:
        return services.save_focus_area(
            access=access,
            focus_area=focus_area,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            leaders=form.cleaned_data["leaders"],
        )
    except REFUSALS as error:
        form.add_error("name", message_for(error))
        return None


@community_view("manage")
def manage_focus_areas(request, access):
    community = access.community
    form = FocusAreaForm(request.POST or None, community=community)
    status = 200
    if request.method == "POST":
        area = _save_focus_area(access, form)
        if area is not None:
            messages.success(request, f"Focus area “{area.name}” added.")
            return redirect("communities:manage_focus_areas", slug=community.slug)
        status = 400
    areas = focus_areas_with_leaders(community=community)
    return _manage(request, access, "focus_areas", "focus_areas", status=status, form=form, areas=areas)


@community_view("manage")
def manage_focus_area_edit(request, access, pk):
    area = get_object_or_404(FocusArea, community=access.community, pk=pk)
    form = FocusAreaForm(
        request.POST or None, instance=copy.copy(area), community=access.community, submit_label="Save focus area"
    )
    if request.method == "POST":
        if _save_focus_area(access, form, focus_area=area) is not None:
            messages.success(request, f"Focus area “{area.name}” saved.")
            return redirect("communities:manage_focus_areas", slug=access.community.slug)
        return _manage(request, access, "focus_area_edit", "focus_areas", status=400, form=form, area=area)
    return _manage(request, access, "focus_area_edit", "focus_areas", form=form, area=area)


@require_POST
@community_view("manage")
def manage_focus_area_delete(request, access, pk):
    area = get_object_or_404(FocusArea, community=access.community, pk=pk)
    services.delete_focus_area(access=access, focus_area=area)
    messages.success(request, f"Focus area “{area.name}” deleted.")
    return redirect("communities:manage_focus_areas", slug=access.community.slug)


@community_view("manage")
def manage_requests(request, access):
    community = access.community
    return _manage(
        request,
        access,
        "requests",
        "requests",
        pending=pending_join_requests(community=community),
        decided=decided_join_requests(community=community),
    )


@require_POST
@community_view("manage")
def manage_request_decide(request, access, pk, approve):
    join_request = get_object_or_404(JoinRequest.objects.select_related("user"), community=access.community, pk=pk)
    decide = services.approve_join_request if approve else services.decline_join_request
    try:
        decide(access=access, join_request=join_request)
    except REFUSALS as error:
        return _refused(request, access, error)
    name = join_request.user.name
    if approve:
        messages.success(request, f"{name} is now a member. We emailed them.")
    else:
        messages.success(request, f"You declined {name}'s request. We emailed them.")
    return redirect("communities:manage_requests", slug=access.community.slug)


@community_view("manage")
def manage_invitations(request, access):
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        retry_after = None
        if form.is_valid():
            try:
                invitation = services.invite(access=access, email=form.cleaned_data["email"])
            except RateLimited as exc:
                form.add_error("email", str(exc))
                retry_after = exc.wait
            except REFUSALS as error:
                form.add_error("email", message_for(error))
            else:
                messages.success(request, f"We are sending the invitation to {invitation.email}.")
                return redirect("communities:manage_invitations", slug=access.community.slug)
        status = 400 if retry_after is None else 429
    invitations = invitations_for(community=access.community)
    links = access.community.invitation_links.all()[:20]
    response = _manage(
        request, access, "invitations", "invitations", status=status, form=form, invitations=invitations, links=links
    )
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
@community_view("manage")
def manage_invitation_resend(request, access, pk):
    invitation = get_object_or_404(Invitation, community=access.community, pk=pk)
    try:
        services.resend_invitation(access=access, invitation=invitation)
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(request, f"We are sending the invitation to {invitation.email} again.")
    return redirect("communities:manage_invitations", slug=access.community.slug)


@require_POST
@community_view("manage")
def manage_invitation_revoke(request, access, pk):
    invitation = get_object_or_404(Invitation, community=access.community, pk=pk)
    try:
        services.revoke_invitation(access=access, invitation=invitation)
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")
    return redirect("communities:manage_invitations", slug=access.community.slug)


@community_view("manage")
def manage_roles(request, access):
    q = request.GET.get("q", "").strip()[:100]
    memberships = members_for_list(community=access.community)
    if q:
        memberships = memberships.filter(
            Q(user__display_name__icontains=q) | Q(user__username__icontains=q) | Q(user__email__icontains=q)
        )
    page = _page(request, memberships, ROLES_PER_PAGE)
    q_query = urlencode({"q": q}) if q else ""
    return _manage(request, access, "roles", "roles", page=page, q=q, q_query=q_query)


def _membership_of_community(access, pk):
    return get_object_or_404(Membership.objects.select_related("user"), community=access.community, pk=pk)


@require_POST
@community_view("manage")
def manage_roles_change(request, access, pk):
    membership = _membership_of_community(access, pk)
    form = RolesForm(request.POST)
    form.is_valid()  # three optional check boxes: always valid
    try:
        services.change_roles(access=access, membership=membership, **form.cleaned_data)
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(request, f"Roles of {membership.user.name} saved.")
    return redirect(reverse("communities:manage_roles", kwargs={"slug": access.community.slug}) + _keep_query(request))


@require_POST
@community_view("manage")
def manage_member_remove(request, access, pk):
    membership = _membership_of_community(access, pk)
    try:
        services.remove_member(access=access, membership=membership)
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(request, f"{membership.user.name} is no longer a member.")
    if membership.user_id == request.user.pk and not access.is_staff:
        return redirect(access.community)
    return redirect(reverse("communities:manage_roles", kwargs={"slug": access.community.slug}) + _keep_query(request))


def _keep_query(request):
    back = request.POST.get("back", "")
    return back if back.startswith("?") and "\n" not in back and len(back) < 300 else ""


# -- invitations (outside /c/<slug>/: the link is the permission) --------------------
def invitation(request, token):
    try:
        invitation = services.invitation_from_token(token)
        if request.user.is_authenticated and invitation.accepted_by_id == request.user.pk:
            messages.info(request, f"You are a member of {invitation.community.name}.")
            return redirect(invitation.community)
        services.check_invitation_usable(invitation)
    except REFUSALS as error:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return refuse(request, error, template="communities/invitation_invalid.html", announce=False)
    community = invitation.community
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        try:
            services.accept_invitation(user=request.user, invitation=invitation)
        except REFUSALS as error:
            return refuse(request, error, template="communities/invitation_invalid.html", announce=False)
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(request, f"Welcome to {community.name}! You are now a member.")
        return redirect(community)
    if not request.user.is_authenticated:
        # Kept so the person joins as soon as they have signed up and confirmed the invited address.
        request.session[INVITATION_SESSION_KEY] = token
    access = access_for(request.user, community)
    context = {
        "invitation": invitation,
        "community": community,
        "access": access,
        "is_theirs": request.user.is_authenticated
        and services.invited_address_is_theirs(user=request.user, invitation=invitation),
    }
    return render(request, "communities/invitation.html", context)


# -- districts ---------------------------------------------------------------------
def _district_of(access, pk):
    return get_object_or_404(access.community.districts.all(), pk=pk)


@community_view("manage")
def manage_districts(request, access):
    community = access.community
    form = DistrictNameForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                district = services.add_district(access=access, name=form.cleaned_data["name"])
            except REFUSALS as error:
                form.add_error("name", message_for(error))
            else:
                messages.success(request, f"{district.name} is now one of the community's districts.")
                return redirect("communities:manage_districts", slug=community.slug)
        status = 400
    return _manage(
        request,
        access,
        "districts",
        "districts",
        status=status,
        form=form,
        districts=selectors.districts_overview(community=community),
    )


@require_POST
@community_view("manage")
def rename_district(request, access, pk):
    district = _district_of(access, pk)
    form = DistrictNameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Write the district's new name (at most 120 characters).")
        services.rename_district(access=access, district=district, name=form.cleaned_data["name"])
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(request, f"The district is now called {district.name}.")
    return redirect("communities:manage_districts", slug=access.community.slug)


@require_POST
@community_view("manage")
def merge_district(request, access, pk):
    source = _district_of(access, pk)
    form = MergeDistrictForm(request.POST, community=access.community, exclude=source)
    try:
        if not form.is_valid():
            raise ValidationError("Pick another of this community's districts to merge into.")
        target = services.merge_district(access=access, source=source, target=form.cleaned_data["target"])
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(
        request, f"{source.name} is merged into {target.name}: its duties and members are {target.name}'s now."
    )
    return redirect("communities:manage_districts", slug=access.community.slug)


@community_view("see")
def districts(request, access):
    community = access.community
    context = {
        "community": community,
        "access": access,
        "districts": selectors.districts_overview(community=community),
    }
    if access.is_member:
        context["choose_form"] = ChooseDistrictForm(
            community=community, initial={"district": access.membership.district_id}
        )
    return render(request, "communities/districts.html", context)


@require_POST
@community_view("post")
def choose_district(request, access):
    form = ChooseDistrictForm(request.POST, community=access.community)
    try:
        if not form.is_valid():
            raise ValidationError("Pick one of this community's districts.")
        membership = services.choose_district(access=access, district=form.cleaned_data["district"])
    except REFUSALS as error:
        return _refused(request, access, error)
    if membership.district_id is None:
        messages.success(request, "You answer for no district here now.")
    elif membership.district_confirmed:
        messages.success(request, "Your district is saved and confirmed.")
    else:
        messages.success(request, "Saved. A leader of that district or a moderator will confirm it.")
    return redirect("communities:districts", slug=access.community.slug)


@require_POST
@community_view("post")
def confirm_district(request, access, pk):
    membership = _membership_of_community(access, pk)
    confirm = request.POST.get("decision") != "decline"
    try:
        services.confirm_district(access=access, membership=membership, confirm=confirm)
    except REFUSALS as error:
        return _refused(request, access, error)
    verb = "confirmed in" if confirm else "no longer pending for"
    messages.success(request, f"{membership.user.name} is {verb} their district.")
    return redirect("communities:districts", slug=access.community.slug)


# -- invitations in bulk and reusable links ------------------------------------------
@community_view("manage")
def manage_bulk_invitations(request, access):
    community = access.community
    form = BulkInviteForm(request.POST or None, request.FILES or None, community=community)
    context = {"form": form, "lines": None}
    if request.method != "POST":
        return _manage(request, access, "bulk_invitations", "invitations", **context)
    try:
        if not form.is_valid():
            raise ValidationError("Check the list below.")
        upload = form.cleaned_data["csv_file"]
        data = upload.read(services.MAX_BULK_BYTES + 1) if upload else None
        lines = services.parse_bulk_invitations(access=access, text=form.cleaned_data["addresses"], upload=data)
        if "send" in request.POST:
            sent = services.send_bulk_invitations(
                access=access,
                lines=lines,
                as_district_leader=form.cleaned_data["as_district_leader"],
                leads_focus_area=form.cleaned_data["leads_focus_area"],
            )
            skipped = len(lines) - len(sent)
            note = f" {skipped} line{'s' if skipped != 1 else ''} left out (see why in the preview)." if skipped else ""
            messages.success(request, f"We are sending {len(sent)} invitation{'s' if len(sent) != 1 else ''}.{note}")
            return redirect("communities:manage_invitations", slug=community.slug)
    except RateLimited as error:
        form.add_error(None, str(error))
        response = _manage(request, access, "bulk_invitations", "invitations", status=429, **context)
        response["Retry-After"] = str(error.wait)
        return response
    except REFUSALS as error:
        form.add_error(None, message_for(error))
        return _manage(request, access, "bulk_invitations", "invitations", status=400, **context)
    if data is not None:
        # The file's lines go into the box, so "Send" sends exactly what the preview showed.
        form = BulkInviteForm({**request.POST.dict(), "addresses": data.decode("utf-8-sig")}, community=community)
        form.is_valid()
    counts = {status: sum(1 for line in lines if line.status == status) for status in services.BULK_STATUSES}
    return _manage(request, access, "bulk_invitations", "invitations", form=form, lines=lines, counts=counts)


@require_POST
@community_view("manage")
def manage_invitation_links(request, access):
    form = InvitationLinkForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Pick between 1 and 90 days and between 1 and 1000 people.")
        services.create_invitation_link(access=access, **form.cleaned_data)
    except REFUSALS as error:
        return _refused(request, access, error)
    messages.success(request, "The link is ready: copy it below and share it.")
    return redirect("communities:manage_invitations", slug=access.community.slug)


@require_POST
@community_view("manage")
def manage_invitation_link_revoke(request, access, pk):
    link = get_object_or_404(InvitationLink, community=access.community, pk=pk)
    services.revoke_invitation_link(access=access, link=link)
    messages.success(request, "The link no longer works.")
    return redirect("communities:manage_invitations", slug=access.community.slug)


def join_link(request, token):
    """A reusable invitation link: the link is the permission (hidden communities too)."""
    try:
        link = services.invitation_link_from_token(token)
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect_to_login(request.path)
            services.join_through_link(user=request.user, link=link)
            messages.success(request, f"Welcome to {link.community.name}! You are now a member.")
            return redirect(link.community)
    except REFUSALS as error:
        return refuse(request, error, template="communities/invitation_invalid.html", announce=False)
    access = access_for(request.user, link.community)
    return render(request, "communities/join_link.html", {"link": link, "community": link.community, "access": access})
