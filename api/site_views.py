"""The settings page's personal access tokens: create (shown once) and revoke. HTML, POST with CSRF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import tokens
from api.models import AccessToken
from core.refusals import REFUSALS, refuse


@never_cache  # the page shows the secret
@login_required
@require_POST
def create_token(request):
    expiry = request.POST.get("expires", "90")
    try:
        if expiry not in tokens.EXPIRY_CHOICES:
            raise ValidationError({"expires": "Pick when the token stops working."})
        token, secret = tokens.create_token(
            user=request.user,
            name=request.POST.get("name", ""),
            scope=request.POST.get("scope", ""),
            expires_in_days=tokens.EXPIRY_CHOICES[expiry],
        )
    except REFUSALS as error:
        return refuse(request, error)
    return render(request, "api/token_created.html", {"token": token, "secret": secret})


@never_cache
@login_required
@require_POST
def revoke_token(request, token_id):
    token = get_object_or_404(AccessToken, pk=token_id, user=request.user)
    tokens.revoke_token(user=request.user, token=token)
    messages.success(request, f"The token “{token.name}” no longer works.")
    return redirect("accounts:settings")
