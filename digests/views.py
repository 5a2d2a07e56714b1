from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User
from communities.permissions import community_view
from core.text import render_markdown
from digests import services
from digests.emails import email_context, render_digest, subject_for, user_id_from_token
from digests.forms import CommunityNoteForm, MemberPreviewForm, PreviewForm
from digests.models import CommunityNote, DigestRun
from digests.periods import next_monthly_period

ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


def _user_for_token(token):
    """(user, problem): the token's owner, or a sentence for the person holding a bad token."""
    max_age = settings.DIGEST_UNSUBSCRIBE_MAX_AGE_DAYS * 86400
    try:
        user_id = user_id_from_token(token, max_age=max_age)
    except signing.SignatureExpired:
        return None, "This unsubscribe link has expired."
    except signing.BadSignature:
        return None, "This unsubscribe link is not valid. It may have been cut short or changed."
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None, "This unsubscribe link belongs to an account that no longer exists."
    return user, ""


# Mail clients POST here without a session or CSRF token (RFC 8058 one-click);
# the signed token is the only credential and it can only turn the digest off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    user, problem = _user_for_token(token)
    if user is None:
        return render(request, "digests/unsubscribe_invalid.html", {"problem": problem}, status=400)
    if request.method == "POST":
        services.unsubscribe(user=user)
        return render(request, "digests/unsubscribed.html", {"person": user})
    return render(request, "digests/unsubscribe_confirm.html", {"person": user, "token": token})


@community_view("moderate")
def community_note(request, access):
    """Moderators write the note for the next monthly digest and preview it as members will see it."""
    community = access.community
    period = next_monthly_period(day_of_month=settings.DIGEST_DAY_OF_MONTH, hour=settings.DIGEST_HOUR_UTC)
    note = CommunityNote.objects.filter(community=community, period=period.key).first()
    form = CommunityNoteForm(request.POST or None, initial={"body": note.body if note else ""})
    preview_html = note.body_html if note else ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            body = form.cleaned_data["body"]
            if "save" in request.POST:
                saved = services.save_community_note(access=access, period=period, body=body)
                messages.success(
                    request, f"Your note for the {period.label} digest is saved." if saved else "The note is removed."
                )
                return redirect("digests:community_note", slug=community.slug)
            preview_html = render_markdown(body)
            messages.info(request, "This is a preview; press “Save note” to keep it.")
        else:
            status = 400
            messages.error(request, "Please fix the problem below; nothing was saved.")
    context = {
        "community": community,
        "access": access,
        "form": form,
        "period": period,
        "note": note,
        "preview_html": preview_html,
        "member_form": MemberPreviewForm(community=community),
    }
    return render(request, "digests/community_note.html", context, status=status)


@never_cache
@community_view("moderate")
def member_preview(request, access):
    """Moderators: the part of a member's next monthly digest that comes from this community, as emailed."""
    community = access.community
    form = MemberPreviewForm(request.GET, community=community)
    context = {"community": community, "access": access, "member_form": form}
    if not form.is_valid():
        return render(request, "digests/member_preview.html", context, status=400)
    person, period = form.cleaned_data["user"], form.cleaned_data["period"]
    context["period"] = period
    digest = services.preview_member_digest(access=access, member=person, period=period)
    context.update(person=person, digest=digest)
    if digest is not None:
        email = email_context(digest)
        # The page's ``user`` stays the moderator; the include gets the member as ``user``. The member's
        # own unsubscribe link would let whoever holds it turn their digest off: it is not shown.
        context.update({key: value for key, value in email.items() if key not in {"user", "unsubscribe_url"}})
        context.update(subject=subject_for(digest), unsubscribe_url="#unsubscribe")
    return render(request, "digests/member_preview.html", context)


@staff_member_required
def preview(request):
    """Staff: the digest any member would get, exactly as the email renders it, and the recent runs."""
    form = PreviewForm(request.GET or None)
    context = {"form": form, "runs": DigestRun.objects.all()[:12]}
    status = 200
    if form.is_bound:
        if form.is_valid():
            person, period = form.cleaned_data["user"], form.cleaned_data["period"]
            digest = services.preview_digest(user=person, period=period)
            context.update(person=person, period=period, digest=digest)
            if digest is not None:
                email = email_context(digest)
                subject, text, _html = render_digest(digest, email)
                # The page's ``user`` stays the staff member; the include gets the member as ``user``.
                context.update({key: value for key, value in email.items() if key != "user"})
                context.update(subject=subject, text=text)
        else:
            status = 400
    return render(request, "digests/preview.html", context, status=status)
