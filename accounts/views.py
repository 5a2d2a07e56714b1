from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.forms import SettingsForm
from accounts.selectors import profile_user
from core.panels import collect


def profile(request, username):
    person = profile_user(username=username)
    # Apps above accounts add to the profile (the communities shown, filtered for the viewer).
    panels = collect("profile_panel", person=person, viewer=request.user)
    return render(request, "accounts/profile.html", {"person": person, "panels": panels})


# Settings lead to the secret calendar links; never kept by a browser or proxy.
@never_cache
@login_required
def settings_view(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your settings are saved.")
            return redirect("accounts:settings")
        messages.error(request, "Please fix the problems below; nothing was saved.")
        return render(request, "accounts/settings.html", {"form": form}, status=400)
    return render(request, "accounts/settings.html", {"form": form})
