import zoneinfo

from allauth.account.forms import SignupForm as AllauthSignupForm
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from accounts import avatars
from accounts.models import User

# The zones most members are in, offered first; every other zone follows, grouped by region.
COMMON_ZONES = [
    ("America/New_York", "Eastern Time (US & Canada)"),
    ("America/Chicago", "Central Time (US & Canada)"),
    ("America/Denver", "Mountain Time (US & Canada)"),
    ("America/Phoenix", "Arizona"),
    ("America/Los_Angeles", "Pacific Time (US & Canada)"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
    ("America/Puerto_Rico", "Puerto Rico"),
    ("UTC", "UTC"),
    ("Europe/London", "London"),
    ("Europe/Berlin", "Central Europe"),
    ("Asia/Kolkata", "India"),
    ("Asia/Tokyo", "Japan"),
    ("Australia/Sydney", "Sydney"),
]
# Region/City names only: no "Factory", "localtime", "posixrules", Etc/GMT+5 or old aliases like US/Central.
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


def _label(name):
    return name.split("/", 1)[1].replace("_", " ").replace("/", " / ")


def time_zone_choices():
    """Common zones first, then every Region/City zone grouped by region (optgroups)."""
    common = [(name, f"{label} ({name})" if label != name else name) for name, label in COMMON_ZONES]
    groups = {region: [] for region in REGIONS}
    for name in sorted(zoneinfo.available_timezones()):
        region = name.split("/", 1)[0]
        if region in groups and "/" in name:
            groups[region].append((name, _label(name)))
    return [("Common time zones", common), *((region, zones) for region, zones in groups.items() if zones)]


def known_zone(name):
    return any(name == value for _group, zones in time_zone_choices() for value, _label in zones)


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
        current = self.instance.time_zone
        if current and not known_zone(current):
            # An older account may hold an alias (US/Central): keep it selectable rather than refuse it.
            self.fields["time_zone"].choices = [("Your current zone", [(current, current)]), *time_zone_choices()]
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Save settings"))


class AvatarForm(forms.Form):
    """One picture; the checks and re-encoding are accounts.avatars.process_upload's (run by the service)."""

    avatar = forms.FileField(
        label="Profile picture",
        help_text="A JPEG, PNG, GIF or WebP image up to %(limit)s. We crop it to a square and remove "
        "its hidden details (such as where a photo was taken).",
        error_messages={
            "required": "Choose a picture to upload first.",
            "empty": "That file is empty. Choose a photo or picture to upload.",
            "invalid": "That was not a file. Choose a picture to upload.",
        },
        widget=forms.FileInput(attrs={"accept": avatars.ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["avatar"]
        field.help_text = field.help_text % {"limit": filesizeformat(settings.AVATAR_UPLOAD_MAX_BYTES)}
