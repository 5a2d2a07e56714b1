from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from communities.models import Community


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or domain", required=False, max_length=100)
    audience = forms.ChoiceField(
        label="Core audience", required=False, choices=[("", "Any audience"), *Community.Audience.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(Submit("", "Search", css_class="btn-outline-primary"))
