from urllib.parse import urlsplit

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from communities.models import FocusArea
from core.netguard import host_is_obviously_private
from resources.models import GradeBand, Resource, Subject
from resources.uploads import ALLOWED_DESCRIPTION, as_utf8_text, inspect_upload

ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.png,.jpg,.jpeg,.gif,.webp,.txt,.md,.csv"


class ResourceForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What a colleague would search for.")
    kind = forms.ChoiceField(label="Kind of resource", choices=Resource.Kind.choices)
    url = forms.URLField(
        label="Web address",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A link to the resource, starting with http:// or https://.",
    )
    file = forms.FileField(label="Or upload a file", required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        required=False,
        help_text="How you used it and who it suits. Markdown is welcome.",
    )
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    grade_bands = forms.MultipleChoiceField(
        choices=GradeBand.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    subjects = forms.MultipleChoiceField(choices=Subject.choices, required=False, widget=forms.CheckboxSelectMultiple)
    tags = forms.CharField(
        max_length=300, required=False, help_text="Comma-separated, for example: rubrics, group work."
    )

    def __init__(self, *args, community, resource=None, submit_label="Submit for review", **kwargs):
        self.resource = resource
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = FocusArea.objects.filter(community=community)
        self.fields["file"].widget.attrs["accept"] = ACCEPT
        self.fields[
            "file"
        ].help_text = f"{ALLOWED_DESCRIPTION}; up to {filesizeformat(settings.RESOURCE_UPLOAD_MAX_BYTES)}."
        if resource is not None and resource.file_name:
            self.fields["file"].label = "Replace the file"
            self.fields["file"].help_text = f"Now: {resource.file_name}. " + self.fields["file"].help_text
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url:
            return url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise forms.ValidationError("Use a web address that starts with http:// or https://.")
        if host_is_obviously_private(parts.hostname) and not settings.LINK_CHECK_ALLOW_PRIVATE:
            raise forms.ValidationError("That address points to a private network. Link to a public web page.")
        return url

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file:
            file = as_utf8_text(file)
            inspect_upload(file)
        return file

    def clean(self):
        data = super().clean()
        url, file = data.get("url"), data.get("file")
        has_file = bool(file) or bool(self.resource and self.resource.file)
        if self.errors:
            return data
        if not url and not has_file:
            raise forms.ValidationError("Add a web address or upload a file.")
        if data.get("kind") == Resource.Kind.LINK and not url:
            self.add_error("url", "A link resource needs a web address.")
        if data.get("kind") == Resource.Kind.FILE and not has_file:
            self.add_error("file", "A file resource needs an uploaded file.")
        return data

    @classmethod
    def initial_for(cls, resource):
        return {
            "title": resource.title,
            "kind": resource.kind,
            "url": resource.url,
            "description": resource.description,
            "focus_areas": list(resource.focus_areas.all()),
            "grade_bands": resource.grade_band_codes,
            "subjects": resource.subject_codes,
            "tags": resource.tags,
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the submitter",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Tell the submitter why: write a short reason."},
    )


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=150, help_text="For example “Getting started with SEL”.")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False, help_text="Markdown is welcome."
    )

    def __init__(self, *args, submit_label="Save collection", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))


class CollectionItemForm(forms.Form):
    resource = forms.ModelChoiceField(
        label="Resource to add",
        queryset=Resource.objects.none(),
        error_messages={"invalid_choice": "Pick a resource from this community's library."},
    )
    note = forms.CharField(label="Note", max_length=500, required=False, help_text="Why it belongs here.")

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(community=community).visible().order_by("title")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Add to collection"))


class ItemNoteForm(forms.Form):
    note = forms.CharField(label="Note", max_length=500, required=False)
