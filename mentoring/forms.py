from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from communities.models import FocusArea
from mentoring.models import MAX_CAPACITY, MAX_YEARS, GradeBand, MentorProfile, Pairing, Role


def _helper(button):
    helper = FormHelper()
    helper.add_input(Submit("submit", button))
    return helper


class MentorProfileForm(forms.ModelForm):
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Focus areas you can mentor in",
    )  # fmt: skip
    grade_bands = forms.MultipleChoiceField(
        choices=GradeBand.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Grade bands you know"
    )
    capacity = forms.IntegerField(
        label="How many mentees at once",
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=f"From 1 to {MAX_CAPACITY}. You are never suggested once you have this many.",
        error_messages={
            "min_value": "Take at least 1 mentee, or untick “Taking mentees” to pause.",
            "max_value": f"{MAX_CAPACITY} mentees at once is the most we allow: mentoring takes time.",
            "invalid": "Give a whole number of mentees.",
            "required": "Say how many mentees you can take at once.",
        },
    )
    years = forms.IntegerField(
        label="Years of experience",
        min_value=0,
        max_value=MAX_YEARS,
        error_messages={"max_value": f"Give at most {MAX_YEARS} years.", "invalid": "Give a whole number of years."},
    )

    class Meta:
        model = MentorProfile
        fields = ["focus_areas", "grade_bands", "subjects", "role", "years", "capacity", "availability", "is_active"]

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(community=community)
        self.helper = _helper("Save my mentor profile")


class RequestForm(forms.Form):
    goals = forms.CharField(
        label="What you want to work on",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Say what you want to work on, so mentors know how they can help.",
            "max_length": "Keep it under 2,000 characters.",
        },
    )
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Focus areas"
    )
    grade_band = forms.ChoiceField(choices=[("", "Any"), *GradeBand.choices], required=False, label="Grade band")
    role = forms.ChoiceField(choices=Role.choices, label="Your role")
    subject = forms.CharField(max_length=80, required=False, help_text="For example “Math”.")
    other_district_welcome = forms.BooleanField(
        label="A mentor from another district is welcome", required=False, initial=True
    )
    for_district = forms.BooleanField(
        label="Ask on behalf of my district (a district-to-district pairing)", required=False
    )

    def __init__(self, *args, community, district_leader=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(community=community)
        if not district_leader:
            del self.fields["for_district"]
        self.helper = _helper("Ask for a mentor")


class RespondForm(forms.Form):
    note = forms.CharField(
        label="A note to your mentee (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"max_length": "Keep the note under 1,000 characters."},
    )  # fmt: skip
    cadence_days = forms.TypedChoiceField(
        label="How often you will check in", coerce=int, choices=Pairing.Cadence.choices,
        initial=Pairing.Cadence.FORTNIGHTLY, required=False, empty_value=Pairing.Cadence.FORTNIGHTLY,
        widget=forms.Select(attrs={"class": "form-select"}),
    )  # fmt: skip


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="Markdown is fine. Only the two of you can read this.",
        error_messages={"max_length": "Keep a message under 5,000 characters."},
    )  # fmt: skip
    file = forms.FileField(
        label="Attach a file (optional)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )


class EndForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("completed", "We reached our goals: completed"), ("ended", "End it early")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}), initial="completed", label="How it ends",
    )  # fmt: skip
    note = forms.CharField(
        label="A note to the community's leaders (optional)", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Keep the note under 1,000 characters."},
    )  # fmt: skip
