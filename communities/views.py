from django.shortcuts import render

from communities.forms import DirectoryFilterForm
from communities.permissions import community_view, may_create_community
from communities.selectors import communities_for_directory, focus_areas_with_leaders, moderators_of
from cop_site.panels import collect


def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    query, audience = "", ""
    if form.is_valid():
        query, audience = form.cleaned_data["q"], form.cleaned_data["audience"]
    communities = communities_for_directory(viewer=request.user, query=query, audience=audience)
    context = {"form": form, "communities": communities, "may_create": may_create_community(request.user)}
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "communities/directory.html", context, status=status)


@community_view("view")
def home(request, access):
    community = access.community
    context = {
        "community": community,
        "access": access,
        "focus_areas": focus_areas_with_leaders(community=community),
        "moderators": moderators_of(community=community),
        "panels": (
            collect("community_home_panel", community=community, viewer=request.user, access=access)
            if access.may_see
            else []
        ),
    }
    return render(request, "communities/home.html", context)
