"""The library's search, filters and sort (django-filter)."""

import django_filters
from django import forms
from django.db.models import F

from communities.models import FocusArea
from resources.models import GradeBand, Resource, Subject
from resources.selectors import LibraryFilters, search_resources

SORTS = [
    ("newest", "Newest"),
    ("useful", "Most useful"),
    ("featured", "Featured first"),
]


class ResourceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    kind = django_filters.ChoiceFilter(label="Kind", choices=Resource.Kind.choices, empty_label="Any kind")
    focus_area = django_filters.ModelChoiceFilter(
        label="Focus area", field_name="focus_areas", queryset=FocusArea.objects.none(), empty_label="Any focus area"
    )
    grade_band = django_filters.ChoiceFilter(
        label="Grade band", choices=GradeBand.choices, method="filter_code", empty_label="Any grade"
    )
    subject = django_filters.ChoiceFilter(
        label="Subject", choices=Subject.choices, method="filter_code", empty_label="Any subject"
    )
    status = django_filters.ChoiceFilter(label="Status", choices=Resource.Status.choices, empty_label="Any status")
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORTS, method="filter_sort", empty_label="Best match / newest"
    )

    class Meta:
        model = Resource
        fields = []

    def __init__(self, data=None, *args, access, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.filters["focus_area"].queryset = FocusArea.objects.filter(community=access.community)
        for name in set(self.filters) - set(self.field_names(access)):
            del self.filters[name]
        self.form.fields["sort"].required = False

    @classmethod
    def field_names(cls, access):
        """The form's fields for ``access``, in order: the status filter is for moderators only."""
        return tuple(name for name in cls.base_filters if access.may_moderate or name != "status")

    def offered_focus_areas(self):
        """The (id, name) of the focus areas the form's select offers, in order: one query, after which the
        select draws these pairs instead of asking the database again."""
        pairs = list(self.filters["focus_area"].queryset.values_list("pk", "name"))
        self.show_focus_areas(pairs)
        return pairs

    def show_focus_areas(self, pairs):
        """Let the focus area select offer ``pairs``, the (id, name) of the community's focus areas in order,
        read with the page (after validating: validating a sent id still asks the field's queryset)."""
        field = self.form.fields["focus_area"]
        offered = [("", field.empty_label)] if field.empty_label is not None else []
        if field.null_label is not None:
            offered.append((field.null_value, field.null_label))
        # Plain choices on the field and its widget (forms.ChoiceField's setter: django-filter's own would
        # wrap them in a queryset iterator). Validating a sent id still asks the field's queryset.
        forms.ChoiceField.choices.fset(field, offered + list(pairs))

    def wanted(self):
        """The valid form's filters and sort, as ``selectors.library_page`` takes them."""
        data = self.form.cleaned_data if self.is_bound else {}
        area = data.get("focus_area")
        return LibraryFilters(
            q=data.get("q") or "",
            kind=data.get("kind") or "",
            focus_area=area.pk if area is not None else None,
            grade_band=data.get("grade_band") or "",
            subject=data.get("subject") or "",
            status=data.get("status") or "",
            sort=data.get("sort") or "",
        )

    def filter_search(self, queryset, name, value):
        return search_resources(queryset, value)

    def filter_code(self, queryset, name, value):
        field = "grade_bands" if name == "grade_band" else "subjects"
        return queryset.filter(**{f"{field}__contains": f",{value},"})

    def filter_sort(self, queryset, name, value):
        # Sorting is applied in ``qs`` so that it runs after the search (which adds ``rank``).
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.is_bound and self.form.is_valid() else ""
        if sort == "useful":
            return queryset.order_by("-useful_count", "-created_at", "-pk")
        if sort == "featured":
            return queryset.order_by(F("featured_at").desc(nulls_last=True), "-created_at", "-pk")
        if not sort and "rank" in queryset.query.annotations:
            return queryset.order_by("-rank", "-created_at", "-pk")
        return queryset.order_by("-created_at", "-pk")
