from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import avatars, services
from accounts.emails import OPT_OUTS, read_opt_out_token
from accounts.forms import AvatarForm, SettingsForm
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
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your settings are saved.")
            return redirect("accounts:settings")
        messages.error(request, "Please fix the problems below; nothing was saved.")
        return _settings_page(request, form=form, status=400)
    return _settings_page(request, form=form)


def _settings_page(request, *, form=None, avatar_form=None, status=200):
    context = {
        "form": form or SettingsForm(instance=request.user),
        "avatar_form": avatar_form or AvatarForm(),
        # Apps above accounts add sections here (notification choices, the API's access tokens).
        "panels": collect("settings_panel", user=request.user),
    }
    return render(request, "accounts/settings.html", context, status=status)


def _back_to_picture():
    """Back where the person was on the settings page: the picture, the form, its errors."""
    return redirect(reverse("accounts:settings") + "#picture")


# Only ever the signed-in person's own picture: there is no user in the URL to change.
@never_cache
@login_required
@require_POST
def avatar_upload(request):
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.set_avatar(user=request.user, upload=form.cleaned_data["avatar"])
        except ValidationError as error:
            form.add_error("avatar", error)
        else:
            messages.success(request, "Your picture is saved. This is how others see you now.")
            return _back_to_picture()
    messages.error(request, "Your picture was not changed; see the reason below.")
    return _settings_page(request, avatar_form=form, status=400)


@never_cache
@login_required
@require_POST
def avatar_remove(request):
    had_one = bool(request.user.avatar)
    services.remove_avatar(user=request.user)
    if had_one:
        messages.success(request, "Your picture is removed; others see your initials instead.")
    return _back_to_picture()


@require_GET
def avatar_file(request, key):
    """One stored picture, from whichever storage holds uploads. The name is random and never reused,
    so browsers and proxies may keep it for a year; it leaves when its owner replaces or removes it."""
    name = f"avatars/{key}.{avatars.STORED_EXTENSION}"
    try:
        handle = services.open_avatar(name)
    except FileNotFoundError:
        raise Http404("No such picture.") from None
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Disposition"] = "inline"
    return response


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
