from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.pagecache import keeps_visitor_pages
from core.refusals import refuse
from notifications import emails, kinds, selectors, services
from notifications.forms import PreferencesForm


@never_cache
@login_required
def notification_list(request):
    before = request.GET.get("before", "")
    rows, has_more = selectors.notifications_page(request.user, before=int(before) if before.isdigit() else None)
    context = {
        "days": selectors.by_day(rows),
        "has_more": has_more,
        "older": rows[-1].pk if has_more else None,
        "any_unread": any(row.is_unread for row in rows),
    }
    return render(request, "notifications/list.html", context)


@never_cache
@login_required
def go(request, pk):
    """Follow a notification to its exact target, marking it read; a target deleted since gets a clear page."""
    notification = services.mark_read(user=request.user, notification_id=pk)
    if _target_gone(notification):
        return render(request, "notifications/gone.html", {"notification": notification}, status=410)
    return redirect(notification.url)


def _target_gone(notification):
    if notification.target_type_id is None:
        return False
    model = notification.target_type.model_class()
    if model is None:
        return True
    target = model._default_manager.filter(pk=notification.target_id).first()
    return target is None or bool(getattr(target, "is_deleted", False))


@keeps_visitor_pages
@login_required
@require_POST
def read(request, pk):
    notification = services.mark_read(user=request.user, notification_id=pk)
    if request.htmx:
        return render(
            request,
            "notifications/includes/row.html",
            {"notification": notification, "unread_count": selectors.unread_count(request.user), "oob": True},
        )
    return redirect("notifications:list")


@keeps_visitor_pages
@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("notifications:list")


@keeps_visitor_pages
@login_required
@require_POST
def preferences(request):
    form = PreferencesForm(request.POST, current=services.deliveries_for_all(request.user))
    unknown = form.unknown_kinds()
    if unknown:
        error = ValidationError(f"We don't know these kinds of notification: {', '.join(unknown)}. Nothing was saved.")
        return refuse(request, error, template="notifications/preferences_page.html", context={"panel": {"form": form}})
    if not form.is_valid():
        messages.error(request, "Please pick one of the choices for each kind; nothing was saved.")
        return render(request, "notifications/preferences_page.html", {"panel": {"form": form}}, status=400)
    services.set_preferences(user=request.user, choices=form.cleaned_data)
    messages.success(request, "Your notification choices are saved.")
    return redirect(reverse("accounts:settings") + "#notification-preferences")


# Mail clients POST here without a session or CSRF token (RFC 8058 one-click); the signed token
# is the only credential and it can only move one kind of email to "only in the site".
@keeps_visitor_pages
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        user_id, kind = emails.read_unsubscribe_token(token)
    except signing.SignatureExpired:
        problem = "This link has expired."
    except signing.BadSignature:
        problem = "This link is not valid. It may have been cut short or changed."
    else:
        person = User.objects.filter(pk=user_id, is_active=True).first()
        problem = "" if person is not None else "This link belongs to an account that no longer exists."
    if problem:
        return render(request, "notifications/unsubscribe_invalid.html", {"problem": problem}, status=400)
    label = "your daily summary of notifications" if kind == "daily" else f"emails for “{kinds.KINDS[kind].label}”"
    context = {"person": person, "label": label, "token": token}
    if request.method == "POST":
        services.stop_emails(user=person, kind=kind)
        return render(request, "notifications/unsubscribe_done.html", context)
    return render(request, "notifications/unsubscribe_confirm.html", context)
