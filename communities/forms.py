from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.text import slugify

from accounts.models import District, User
from communities.models import Community, FocusArea, slug_validator

# Slugs that would clash with a path of their own under /c/ (today /c/new/),
# or read like one; kept short and obvious.
RESERVED_SLUGS = frozenset({"new", "create", "edit", "manage", "search", "all", "mine", "feeds", "invitations"})
UNAVAILABLE_SLUG = "The address /c/{slug}/ is not available. Pick another address."


class _SearchButton(Submit):
    """A GET form's submit button: a <button> without a name, so it adds nothing to the link.

    crispy's Submit always writes ``name=``, and an empty name is invalid HTML.
    """

    template = "communities/includes/search_button.html"


def _outline_submit(label):
    # crispy appends css_class to "btn btn-primary"; two fills would hide the text.
    button = _SearchButton("search", label)
    button.field_classes = "btn btn-outline-primary"
    return button


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or domain", required=False, max_length=100)
    audience = forms.ChoiceField(
        label="Core audience", required=False, choices=[("", "Any audience"), *Community.Audience.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.add_input(_outline_submit("Search"))


class CommunitySettingsForm(forms.ModelForm):
    """The fields a moderator may change after creation (the address stays: people bookmark it)."""

    districts = forms.ModelMultipleChoiceField(
        label="Districts taking part",
        queryset=District.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members come from these districts; leaders see members grouped by district.",
    )

    class Meta:
        model = Community
        fields = [
            "name",
            "tagline",
            "domain",
            "purpose",
            "audience",
            "audience_detail",
            "cadence",
            "visibility",
            "join_policy",
            "districts",
        ]
        labels = {"domain": "Domain (the shared concern)", "join_policy": "Who may join"}
        help_texts = {
            "name": "For example “Computational Thinking K-8”.",
            "tagline": "One line that appears in the directory.",
            "purpose": "What members want to achieve together.",
        }
        widgets = {
            "domain": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
            "join_policy": forms.RadioSelect,
        }
        error_messages = {
            "name": {"required": "Give the community a name."},
            "domain": {"required": "Say what shared concern brings members together."},
        }

    submit_label = "Save settings"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", self.submit_label))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the community a name.")
        return name

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("visibility") == Community.Visibility.HIDDEN
            and cleaned.get("join_policy")
            and cleaned["join_policy"] != Community.JoinPolicy.INVITATION
        ):
            self.add_error("join_policy", "A hidden community can only be joined by invitation.")
            # The form is invalid already; keep the model's constraint check from repeating it.
            self.instance.join_policy = Community.JoinPolicy.INVITATION
        return cleaned


class CommunityCreateForm(CommunitySettingsForm):
    slug = forms.CharField(
        label="Web address",
        max_length=60,
        required=False,
        help_text="The part after /c/ in the address, for example “math-coaches”. "
        "Leave it empty to make one from the name.",
    )

    class Meta(CommunitySettingsForm.Meta):
        fields = ["name", "slug", *CommunitySettingsForm.Meta.fields[1:]]

    submit_label = "Create community"

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "").strip()
        if not slug:
            slug = slugify(self.data.get("name", ""))[:60].strip("-")
            if not slug:
                return slug  # the missing name is reported on its own field
        if " " in slug:
            raise forms.ValidationError(
                "A web address cannot contain spaces. Use hyphens instead, for example “math-coaches”."
            )
        try:
            slug_validator(slug)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages[0]) from exc
        # Reserved, taken by a listed community or by a hidden one: one answer for all, so the
        # form never tells anyone that a hidden community lives at an address.
        if slug in RESERVED_SLUGS or Community.objects.filter(slug=slug).exists():
            raise forms.ValidationError(UNAVAILABLE_SLUG.format(slug=slug))
        return slug

    def clean(self):
        cleaned = super().clean()
        if "slug" in cleaned and not cleaned["slug"] and "name" in cleaned:
            self.add_error("slug", "Pick a web address with letters or numbers in it.")
        return cleaned


class JoinForm(forms.Form):
    message = forms.CharField(
        label="Message to the moderators (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example your role and school.",
    )


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class FocusAreaForm(forms.ModelForm):
    leaders = MemberChoiceField(
        label="Leaders",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members who know this topic best and lead its discussions.",
    )

    class Meta:
        model = FocusArea
        fields = ["name", "description", "leaders"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"name": "A sub-topic, for example “Unplugged activities”."}
        error_messages = {"name": {"required": "Give the focus area a name."}}

    def __init__(self, *args, community, submit_label="Add focus area", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaders"].queryset = User.objects.filter(memberships__community=community).order_by(
            "display_name", "username"
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", submit_label))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the focus area a name.")
        return name

    def validate_unique(self):
        # Uniqueness within the community is checked by the service (it knows the community).
        pass


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address of the person to invite.",
            "invalid": "That does not look like an email address. Check it, for example name@school.org.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("invite", "Send invitation"))


class RolesForm(forms.Form):
    is_moderator = forms.BooleanField(label="Moderator", required=False)
    is_district_leader = forms.BooleanField(label="District leader", required=False)
    is_mentor = forms.BooleanField(label="Mentor", required=False)


ROLE_FILTERS = [
    ("", "Any role"),
    ("moderator", "Moderators"),
    ("district_leader", "District leaders"),
    ("focus_area_leader", "Focus-area leaders"),
    ("mentor", "Mentors"),
]


class MemberFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label="District",
        queryset=District.objects.none(),
        required=False,
        empty_label="All districts",
        error_messages={"invalid_choice": "Pick a district from the list."},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=ROLE_FILTERS,
        required=False,
        error_messages={"invalid_choice": "Pick a role from the list."},
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_class = "row row-cols-md-auto g-2 align-items-end"
        self.helper.add_input(_outline_submit("Filter"))


class DistrictNameForm(forms.Form):
    name = forms.CharField(label="District name", max_length=120, help_text="For example “Riverside USD”.")


class MergeDistrictForm(forms.Form):
    target = forms.ModelChoiceField(label="Merge into", queryset=None, empty_label="Pick a district")

    def __init__(self, *args, community, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = community.districts.order_by("name")
        self.fields["target"].queryset = queryset.exclude(pk=exclude.pk) if exclude is not None else queryset


class ChooseDistrictForm(forms.Form):
    district = forms.ModelChoiceField(
        label="Your district in this community", queryset=None, required=False, empty_label="None"
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = community.districts.order_by("name")


class BulkInviteForm(forms.Form):
    addresses = forms.CharField(
        label="Addresses, one person per line",
        required=False,
        max_length=400_000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "ana@school.org, Ana Ruiz, Riverside USD"}),
        help_text="Each line: email, and optionally name, district, and what they lead "
        "(a focus area's name, or “district leader”).",
    )
    csv_file = forms.FileField(
        label="Or upload a CSV file", required=False, help_text="Columns: email, name, district."
    )
    as_district_leader = forms.BooleanField(label="Make them leaders of their district when they join", required=False)
    leads_focus_area = forms.ModelChoiceField(
        label="Make them leaders of a focus area when they join",
        queryset=None,
        required=False,
        empty_label="No focus area",
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leads_focus_area"].queryset = community.focus_areas.all()


class InvitationLinkForm(forms.Form):
    days = forms.IntegerField(label="Works for (days)", min_value=1, max_value=90, initial=14)
    max_uses = forms.IntegerField(label="For at most (people)", min_value=1, max_value=1000, initial=30)
