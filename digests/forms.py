from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms


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
        from accounts.models import User

        email = self.cleaned_data["email"]
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError("No member has that email address.")
        self.cleaned_data["user"] = user
        return email

    def clean_period(self):
        from digests.periods import MONTHLY, InvalidPeriod, current_period, parse_period

        value = self.cleaned_data["period"].strip()
        if not value:
            return current_period(MONTHLY)
        try:
            return parse_period(value)
        except InvalidPeriod as exc:
            raise forms.ValidationError(str(exc)) from exc
