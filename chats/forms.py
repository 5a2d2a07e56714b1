from datetime import timedelta

from crispy_forms.helper import FormHelper
from django import forms

from chats.models import DEFAULT_INTERVAL
from discussions.models import Thread


class PrepareForm(forms.Form):
    topic = forms.CharField(
        max_length=200,
        required=False,
        help_text="What the chat is about. Members see it, and how many prompts there are, before it starts.",
    )
    prompts = forms.CharField(
        label="Prompts, one per line",
        max_length=40_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Q1 is posted at the start, then one prompt every few minutes (below). To choose a prompt's "
        "minute, start its line with it: “+25 What will you try next week?”",
        error_messages={"required": "Write at least one prompt, one per line."},
    )
    interval = forms.IntegerField(
        label="Minutes between prompts",
        min_value=1,
        max_value=120,
        initial=int(DEFAULT_INTERVAL.total_seconds() // 60),
        error_messages={"invalid": "Give the minutes between prompts as a whole number, like 10."},
    )
    cohosts = forms.CharField(
        label="Co-hosts",
        max_length=1000,
        required=False,
        help_text="Usernames of members who help run the chat, separated by commas.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    @property
    def interval_delta(self):
        return timedelta(minutes=self.cleaned_data["interval"])

    @property
    def cohost_names(self):
        return [name for name in self.cleaned_data["cohosts"].replace(";", ",").split(",") if name.strip()]


class MessageForm(forms.Form):
    """An answer or a reply. Length and emptiness are checked by the service, with the text kept."""

    body = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3}))
    prompt = forms.IntegerField(required=False, min_value=1)
    parent = forms.IntegerField(required=False, min_value=1)


class AskForm(forms.Form):
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PublishForm(forms.Form):
    where = forms.ChoiceField(
        choices=[("thread", "Discussion thread")],
        error_messages={"required": "Choose where to publish it.", "invalid_choice": "Choose where to publish it."},
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[(Thread.Kind.LESSON, "Lesson learned"), (Thread.Kind.IDEA, "Idea or discussion")],
        error_messages={"invalid_choice": "Publish it as a lesson learned or as an idea."},
    )
