from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from communities.models import Membership
from digests.periods import MONTHLY, InvalidPeriod, current_period, next_monthly_period, parse_period


class CommunityNoteForm(forms.Form):
    body = forms.CharField(
        label="Note from the moderators",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A few lines from the moderators: what to look forward to, a thank-you, a reminder. "
        "Markdown works. Leave it empty for no note.",
        error_messages={"max_length": "Keep the note under %(limit_value)d characters (it has %(show_value)d)."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        preview = Submit("preview", "Preview")
        preview.field_classes = "btn btn-outline-primary me-2"
        self.helper.add_input(preview)
        self.helper.add_input(Submit("save", "Save note"))


class PreviewForm(forms.Form):
    email = forms.EmailField(
        label="Member's email address",
        error_messages={"invalid": "Enter the member's email address, for example teacher@example.org."},
    )
    period = forms.CharField(
        label="Period",
        required=False,
        max_length=10,
        help_text="YYYY-MM for a month, YYYY-Www for a week. Empty: this month.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("show", "Show digest"))

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError("No member has that email address.")
        self.cleaned_data["user"] = user
        return email

    def clean_period(self):
        value = self.cleaned_data["period"].strip()
        if not value:
            return current_period(MONTHLY)
        try:
            return parse_period(value)
        except InvalidPeriod as exc:
            raise forms.ValidationError(str(exc)) from exc


class MemberPreviewForm(forms.Form):
    """Which member of the community a moderator previews the digest of (GET)."""

    member = forms.CharField(
        label="Member's username or email address",
        max_length=254,
        error_messages={
            "required": "Enter a member's username or email address.",
            "max_length": "That is longer than any username or email address (%(limit_value)d characters at most).",
        },
    )
    period = forms.CharField(
        label="Month",
        required=False,
        max_length=10,
        help_text="YYYY-MM. Empty: the next digest.",
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = reverse("digests:member_preview", kwargs={"slug": community.slug})
        self.helper.add_input(Submit("show", "Show their digest"))

    def clean_member(self):
        value = self.cleaned_data["member"].strip()
        membership = (
            Membership.objects.select_related("user")
            .filter(community=self.community)
            .filter(Q(user__username__iexact=value) | Q(user__email__iexact=value))
            .first()
        )
        if membership is None:
            # The same words whether or not the person exists elsewhere: nothing leaks about other communities.
            raise forms.ValidationError(f"No member of {self.community.name} has that username or email address.")
        self.cleaned_data["user"] = membership.user
        return value

    def clean_period(self):
        value = self.cleaned_data["period"].strip()
        if not value:
            return next_monthly_period(day_of_month=settings.DIGEST_DAY_OF_MONTH, hour=settings.DIGEST_HOUR_UTC)
        try:
            period = parse_period(value)
        except InvalidPeriod as exc:
            raise forms.ValidationError(str(exc)) from exc
        if period.kind != MONTHLY:
            raise forms.ValidationError("Enter a month as YYYY-MM, for example 2027-01.")
        return period
