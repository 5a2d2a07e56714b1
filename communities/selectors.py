from django.db.models import Count, Q

from communities.models import Community, FocusArea, Membership
from communities.permissions import listed_q


def communities_for_directory(*, viewer, query="", audience=""):
    """Communities ``viewer`` may know exist, with member counts: one query."""
    qs = Community.objects.filter(listed_q(viewer)).annotate(num_members=Count("memberships", distinct=True))
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(domain__icontains=query) | Q(tagline__icontains=query))
    if audience:
        qs = qs.filter(audience=audience)
    return qs.order_by("name")


def communities_of(*, user, viewer=None):
    """Communities ``user`` belongs to, limited to those ``viewer`` may know exist (default: the user)."""
    viewer = user if viewer is None else viewer
    return (
        Community.objects.filter(memberships__user=user)
        .filter(listed_q(viewer))
        .annotate(num_members=Count("memberships", distinct=True))
        .order_by("name")
    )


def focus_areas_with_leaders(*, community):
    """Focus areas of a community with their leaders: two queries."""
    return FocusArea.objects.filter(community=community).prefetch_related("leaders")


def moderators_of(*, community):
    return Membership.objects.filter(community=community, is_moderator=True).select_related("user")


def members_for_list(*, community, district=None, role=""):
    """Members with user and district loaded, grouped by district name then person: one query."""
    qs = Membership.objects.filter(community=community).select_related("user", "user__district")
    if district:
        qs = qs.filter(user__district=district)
    if role == "moderator":
        qs = qs.filter(is_moderator=True)
    elif role == "district_leader":
        qs = qs.filter(is_district_leader=True)
    elif role == "mentor":
        qs = qs.filter(is_mentor=True)
    elif role == "focus_area_leader":
        qs = qs.filter(user__led_focus_areas__community=community).distinct()
    return qs.order_by("user__district__name", "user__display_name", "user__username")
