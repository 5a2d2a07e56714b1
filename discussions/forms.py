import uuid
from functools import cache as once
from typing import cast

from crispy_forms.helper import FormHelper
from django import forms
from django.urls import reverse

from accounts.models import User
from communities.models import FocusArea
from discussions.models import BODY_MAX, REASON_MAX, TITLE_MAX, Flag, Thread
from discussions.selectors import SEARCH_QUERY_MAX, SORT_LABELS

BODY_HELP = "Markdown works: **bold**, _italics_, lists, links, `code`. Type @username to mention someone."
TOO_LONG = "That is %(show_value)s characters; the limit is %(limit_value)s. Please shorten it."


def _body_field(label, rows=6):
    return forms.CharField(
        label=label,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=BODY_HELP,
        error_messages={"required": "Please write something first.", "max_length": TOO_LONG},
    )


class _NoTagHelperMixin:
    def _helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


def new_submission():
    return uuid.uuid4().hex


def _submission_field():
    # A fresh random name per rendered form: the same form sent twice (a double click, a
    # retry, five tabs) makes one post (discussions.services.submission_key).
    return forms.CharField(required=False, max_length=64, widget=forms.HiddenInput, initial=new_submission)


class ThreadForm(_NoTagHelperMixin, forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={"required": "Give your post a title.", "max_length": TOO_LONG},
        help_text="One line that says what it is about. Similar threads appear below as you type.",
    )
    kind = forms.ChoiceField(label="What kind of post is this?", choices=Thread.Kind.choices)
    focus_area = forms.ModelChoiceField(
        label="Focus area", queryset=FocusArea.objects.none(), required=False, empty_label="No particular focus area"
    )
    body = _body_field("Your post", rows=8)
    submission = _submission_field()

    def __init__(self, *args, community, similar_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(community=community)
        if similar_url:
            self.fields["title"].widget.attrs.update(
                {
                    "data-hx-get": similar_url,
                    "data-hx-trigger": "keyup changed delay:400ms",
                    "data-hx-target": "#similar-threads",
                    "autocomplete": "off",
                    "autofocus": True,
                }
            )
        self.helper = self._helper()


class EditThreadForm(_NoTagHelperMixin, forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        error_messages={"required": "Give your post a title.", "max_length": TOO_LONG},
    )
    kind = forms.ChoiceField(label="What kind of post is this?", choices=Thread.Kind.choices)
    body = _body_field("Your post", rows=8)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class ReplyForm(forms.Form):
    body = _body_field("Your reply", rows=4)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    submission = _submission_field()


class EditPostForm(_NoTagHelperMixin, forms.Form):
    body = _body_field("Your reply", rows=6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class FlagForm(_NoTagHelperMixin, forms.Form):
    category = forms.ChoiceField(
        label="What is wrong?",
        choices=Flag.Category.choices,
        initial=Flag.Category.OTHER,
        required=False,  # an older form (or a script) that sends only a reason: "something else"
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Pick one of the reasons listed.", "required": "Pick what is wrong."},
    )
    reason = forms.CharField(
        label="Tell the moderators more",
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when you pick “Something else”.",
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean(self):
        cleaned = super().clean()
        if "category" in cleaned and not cleaned["category"]:
            cleaned["category"] = Flag.Category.OTHER
        if cleaned.get("category") == Flag.Category.OTHER and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Please say what is wrong.")
        return cleaned


class ModerateThreadForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("pin", "unpin", "lock", "unlock", "hide", "restore", "move")],
        error_messages={"invalid_choice": "Unknown moderation action."},
    )
    reason = forms.CharField(label="Reason", max_length=REASON_MAX, required=False)
    focus_area = forms.ModelChoiceField(
        label="Move to focus area", queryset=FocusArea.objects.none(), required=False, empty_label="No focus area"
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(community=community)

    def clean(self):
        data = super().clean()
        if data.get("action") == "hide" and not data.get("reason"):
            self.add_error("reason", "Please give a reason for hiding it; the author will see it.")
        return data


class ModeratePostForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("hide", "hide"), ("restore", "restore")],
        error_messages={"invalid_choice": "Unknown moderation action."},
    )
    reason = forms.CharField(label="Reason", max_length=REASON_MAX, required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "hide" and not data.get("reason"):
            self.add_error("reason", "Please give a reason for hiding it; the author will see it.")
        return data


class ThreadFilterForm(forms.Form):
    sort = forms.ChoiceField(label="Sort by", choices=list(SORT_LABELS.items()), required=False)
    kind = forms.ChoiceField(label="Kind", choices=[("", "All kinds"), *Thread.Kind.choices], required=False)
    focus_area = forms.ModelChoiceField(
        label="Focus area", queryset=FocusArea.objects.none(), required=False, empty_label="All focus areas"
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["focus_area"])
        areas = FocusArea.objects.filter(community=community)
        field.queryset = areas
        # Drawn from one query, read when a page first shows them (the API only validates): the
        # field's own choices count the focus areas, then read them through a server-side cursor.
        choice = field.iterator(field).choice
        field.choices = once(lambda: [("", field.empty_label), *(choice(area) for area in areas)])

    def show_focus_areas(self, areas):
        """The focus areas' choices from (id, name) pairs the page has read already (no query of its own)."""
        field = cast(forms.ModelChoiceField, self.fields["focus_area"])
        field.choices = [("", field.empty_label), *areas]


def _searchable_date(value):
    # Posts exist between these years; beyond them a day plus one overflows (9999-12-31).
    if not 1970 <= value.year <= 2200:
        raise forms.ValidationError("Pick a date between 1970 and 2200.")


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", max_length=SEARCH_QUERY_MAX * 50, required=False)
    type = forms.ChoiceField(label="Show", required=False)
    community = forms.ChoiceField(label="Community", required=False)
    kind = forms.ChoiceField(
        label="Kind of discussion", choices=[("", "All kinds"), *Thread.Kind.choices], required=False
    )
    author = forms.CharField(label="Author's username", max_length=150, required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[_searchable_date]
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[_searchable_date]
    )

    def __init__(self, *args, scope, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self._community_ids = {slug: pk for pk, slug, _name in scope.communities}
        self.fields["community"].choices = [("", "All communities"), *((s, n) for _pk, s, n in scope.communities)]
        self.fields["type"].choices = [("", "Everything"), *((k.kind, k.label) for k in kinds)]

    def clean_community(self):
        """The id of the chosen community (one the searcher may see: the choices hold no other)."""
        return self._community_ids.get(self.cleaned_data["community"])

    def clean_author(self):
        username = self.cleaned_data["author"].strip().lstrip("@")
        if not username:
            return None
        return User.objects.filter(username__iexact=username).first() or User(pk=0, username=username)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "“Until” must be on or after “From”.")
        return data


def similar_url(community):
    return reverse("discussions:similar", kwargs={"slug": community.slug})
