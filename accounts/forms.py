import zoneinfo

from allauth.account.forms import SignupForm as AllauthSignupForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from accounts.models import User


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        max_length=80,
        required=False,
        label="Display name",
        help_text="How your name appears to others, for example “Ms. Rivera”. Optional.",
    )

    def save(self, request):
        user = super().save(request)
        user.display_name = self.cleaned_data.get("display_name", "")
        user.save(update_fields=["display_name"])
        return user


class SettingsForm(forms.ModelForm):
    time_zone = forms.TypedChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="Every date and time on the site is shown in this zone.",
        error_messages={"invalid_choice": "“%(value)s” is not a time zone we know. Pick one from the list."},
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "district",
            "time_zone",
            "digest_frequency",
            "email_on_mention",
            "email_on_reply",
            "bio",
        ]
        labels = {"district": "District", "digest_frequency": "Digest email", "bio": "About you"}
        help_texts = {
            "digest_frequency": "One email that lists what needs you: responsibilities, polls, activities.",
            "bio": "A line or two about your role and school. Markdown is not needed here.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].empty_label = "No district"
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save settings"))
