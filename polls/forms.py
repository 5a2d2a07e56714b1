from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from communities.models import FocusArea
from polls.models import MAX_CHOICES, TEXT_ANSWER_MAX_LENGTH, Poll

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class PollForm(forms.Form):
    question = forms.CharField(
        max_length=300,
        error_messages={"required": "Write the question members will answer."},
        help_text="One short question, for example “How confident do you feel teaching loops?”",
    )
    description = forms.CharField(
        label="More detail (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown is fine.",
    )
    kind = forms.ChoiceField(label="Kind of answer", choices=Poll.Kind.choices, widget=forms.RadioSelect)
    choices = forms.CharField(
        label="Choices, one per line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"Two to {MAX_CHOICES} choices. Not needed for the agreement scale or a text answer.",
    )
    max_choices = forms.IntegerField(
        label="Most choices a member may pick",
        required=False,
        min_value=1,
        max_value=MAX_CHOICES,
        help_text="Multiple choice only. Leave empty for no limit.",
    )
    focus_area = forms.ModelChoiceField(
        label="Focus area (optional)", queryset=FocusArea.objects.none(), required=False, empty_label="None"
    )
    is_anonymous = forms.BooleanField(
        label="Anonymous: nobody, not even moderators, can see who answered what",
        required=False,
        help_text="Anonymous answers cannot be changed once sent, and there is no breakdown by district.",
    )
    opens_at = forms.DateTimeField(
        label="Opens", widget=LocalDateTimeInput(), help_text="Set a later time to schedule the poll ahead."
    )
    closes_at = forms.DateTimeField(label="Closes (optional)", required=False, widget=LocalDateTimeInput())
    results_visibility = forms.ChoiceField(label="Show results", choices=Poll.ResultsVisibility.choices)
    # Set from ?thread=<id> when a leader adds a poll to a discussion.
    thread = forms.ModelChoiceField(
        queryset=None,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That discussion is not in this community."},
    )

    def __init__(self, *args, community, locked=False, submit_label="Create poll", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(community=community)
        self.fields["thread"].queryset = Poll._meta.get_field("thread").related_model.objects.filter(
            community=community
        )
        self.locked = locked
        if locked:
            for name in ("kind", "choices", "max_choices", "is_anonymous"):
                self.fields[name].disabled = True
            self.fields["choices"].help_text = "Members have answered, so the choices can no longer change."
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))

    def clean_choices(self):
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        labels = data.get("choices") or []
        if kind in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE):
            if len(labels) < 2:
                self.add_error("choices", "Give at least two choices, one per line.")
            elif len(labels) > MAX_CHOICES:
                self.add_error("choices", f"Give at most {MAX_CHOICES} choices.")
            elif any(len(label) > 200 for label in labels):
                self.add_error("choices", "Keep each choice under 200 characters.")
        limit = data.get("max_choices")
        if kind == Poll.Kind.MULTIPLE and limit and len(labels) >= 2 and limit > len(labels):
            self.add_error("max_choices", f"There are only {len(labels)} choices to pick from.")
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The poll must close after it opens.")
        return data


def initial_for(poll):
    return {
        "question": poll.question,
        "description": poll.description,
        "kind": poll.kind,
        "choices": "\n".join(choice.label for choice in poll.choices.all()) if poll.kind != Poll.Kind.SCALE else "",
        "max_choices": poll.max_choices,
        "focus_area": poll.focus_area_id,
        "is_anonymous": poll.is_anonymous,
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "results_visibility": poll.results_visibility,
        "thread": poll.thread_id,
    }


class RepeatForm(forms.Form):
    opens_at = forms.DateTimeField(label="Next round opens", widget=LocalDateTimeInput())
    closes_at = forms.DateTimeField(label="Next round closes (optional)", required=False, widget=LocalDateTimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Start the next round"))

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The round must close after it opens.")
        return data


class VoteForm(forms.Form):
    """The answer form of one poll; only that poll's choices are valid."""

    def __init__(self, *args, poll, answer=None, **kwargs):
        # Ids unique per poll: a thread may show several polls.
        kwargs.setdefault("auto_id", f"poll-{poll.pk}-%s")
        super().__init__(*args, **kwargs)
        self.poll = poll
        choices = [(choice.pk, choice.label) for choice in poll.choices.all()]
        picked = sorted(answer.choice_ids) if answer else []
        if poll.is_text:
            self.fields["text"] = forms.CharField(
                label="Your answer",
                max_length=TEXT_ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=answer.text if answer else "",
                error_messages={"required": "Write an answer before sending it."},
            )
        elif poll.is_multiple:
            help_text = f"Pick up to {poll.max_choices}." if poll.max_choices else "Pick all that apply."
            self.fields["choice"] = forms.TypedMultipleChoiceField(
                label=poll.question,
                choices=choices,
                coerce=int,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                initial=picked,
                help_text=help_text,
                error_messages={
                    "required": "Pick at least one answer before sending it.",
                    "invalid_choice": "That answer is not one of this poll's choices.",
                },
            )
        else:
            self.fields["choice"] = forms.TypedChoiceField(
                label=poll.question,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=picked[0] if picked else None,
                error_messages={
                    "required": "Pick an answer before sending it.",
                    "invalid_choice": "That answer is not one of this poll's choices.",
                },
            )

    def options(self):
        """The choices as ``poll.html`` writes them by hand (what ``{{ option.tag }}`` of the field's widget
        writes, without a template render per choice): (index, value, label, checked), in order. The index and
        value come as text: a number is localized each time a template writes it."""
        field = self["choice"]
        value = field.value()
        values = value if isinstance(value, list | tuple) else [value]
        picked = {str(v) for v in values if v is not None}
        return [
            (str(i), str(pk), label, str(pk) in picked) for i, (pk, label) in enumerate(self.fields["choice"].choices)
        ]

    def clean_choice(self):
        value = self.cleaned_data["choice"]
        if self.poll.is_multiple and self.poll.max_choices and len(value) > self.poll.max_choices:
            raise forms.ValidationError(f"Pick at most {self.poll.max_choices} answers.")
        return value

    @property
    def picked(self):
        value = self.cleaned_data.get("choice", [])
        return value if isinstance(value, list) else [value]


class AutoRepeatForm(forms.Form):
    every = forms.ChoiceField(
        label="Open a new round",
        choices=[("month", "Every month"), ("weeks", "Every few weeks"), ("", "Never by itself (stop repeating)")],
        widget=forms.RadioSelect,
        initial="month",
        required=False,
    )
    day = forms.IntegerField(
        label="On day of the month", required=False, initial=1, help_text="1 to 28, or -1 for the last day."
    )
    weeks = forms.IntegerField(label="Every how many weeks", required=False, initial=2)
