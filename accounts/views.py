from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.emails import OPT_OUTS, read_opt_out_token
from accounts.forms import SettingsForm
from accounts.models import User
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
    # Apps above accounts add sections here (notification choices, the API's access tokens).
    panels = collect("settings_panel", user=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your settings are saved.")
            return redirect("accounts:settings")
        messages.error(request, "Please fix the problems below; nothing was saved.")
        return render(request, "accounts/settings.html", {"form": form, "panels": panels}, status=400)
    return render(request, "accounts/settings.html", {"form": form, "panels": panels})


# Mail clients POST here without a session or CSRF token (RFC 8058 one-click); the signed
# token is the only credential and it can only turn one kind of email off.
@csrf_exempt
@never_cache  # the link is a secret
@require_http_methods(["GET", "POST"])
def email_opt_out(request, token):
    try:
        user_id, kind = read_opt_out_token(token)
    except signing.SignatureExpired:
        problem = "This link has expired."
    except signing.BadSignature:
        problem = "This link is not valid. It may have been cut short or changed."
    else:
        person = User.objects.filter(pk=user_id, is_active=True).first()
        problem = "" if person is not None else "This link belongs to an account that no longer exists."
    if problem:
        return render(request, "accounts/email_opt_out_invalid.html", {"problem": problem}, status=400)
    preference, label = OPT_OUTS[kind]
    context = {"person": person, "label": label, "token": token, "is_on": getattr(person, preference)}
    if request.method == "POST":
        services.opt_out(user=person, kind=kind)
        return render(request, "accounts/email_opt_out_done.html", context)
    return render(request, "accounts/email_opt_out_confirm.html", context)
