import zoneinfo
from datetime import datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.forms import time_zone_choices
from accounts.models import User
from calendar_app.models import RSVP, Activity, Responsibility, parse_occurrence_key
from calendar_app.recurrence import MAX_COUNT, Repeat, build_rule, check_rule
from core import dates

MIN_YEAR, MAX_YEAR = 1970, 2200


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock date and time (naive); the form decides which zone it is in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError("Enter a date and time, for example 2026-03-10 16:00.", code="invalid") from None
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise ValidationError(f"Pick a year between {MIN_YEAR} and {MAX_YEAR}.", code="invalid")
        return parsed.replace(tzinfo=None)


def _zone_or_current(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return timezone.get_current_timezone()


class ActivityForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Activity.Kind.choices, initial=Activity.Kind.CHAT)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000, help_text="Markdown is fine."
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="The start and end are in this zone; repeats keep their local time across daylight saving.",
        error_messages={"invalid_choice": "“%(value)s” is not a time zone we know. Pick one from the list."},
    )
    all_day = forms.BooleanField(label="All day", required=False)
    start = LocalDateTimeField(label="Starts")
    end = LocalDateTimeField(label="Ends", help_text="For an all-day activity, only the dates count.")
    location = forms.CharField(max_length=300, required=False, help_text="For site visits and meetings.")
    meeting_url = forms.URLField(
        label="Online meeting link",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="For chats and webinars.",
    )
    focus_area = forms.ModelChoiceField(queryset=None, required=False, empty_label="No particular focus area")
    repeats = forms.ChoiceField(label="Repeats", choices=Repeat.CHOICES, required=False)
    repeat_count = forms.IntegerField(
        label="Number of times", min_value=1, max_value=MAX_COUNT, required=False, initial=12
    )
    repeat_until = forms.DateField(
        label="Or until", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Optional."
    )
    custom_rule = forms.CharField(
        label="Custom rule",
        max_length=500,
        required=False,
        help_text="Only for “Custom rule”, for example FREQ=MONTHLY;BYDAY=1MO;COUNT=10 (every first Monday).",
    )

    def __init__(self, *args, community, with_responsibility=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["focus_area"].queryset = community.focus_areas.all()
        if not self.is_bound and not self.initial.get("time_zone"):
            self.initial["time_zone"] = timezone.get_current_timezone_name()
        fields = ["title", "kind", "description", "time_zone", "all_day", "start", "end", "location", "meeting_url"]
        layout = [
            *fields,
            "focus_area",
            Fieldset(
                "Repeat",
                "repeats",
                Div(
                    Div("repeat_count", css_class="col-sm-6"),
                    Div("repeat_until", css_class="col-sm-6"),
                    css_class="row",
                ),
                "custom_rule",
            ),
        ]
        if with_responsibility:
            self.fields["responsible_district"] = forms.ModelChoiceField(
                label="Responsible district",
                queryset=community.districts.all(),
                required=False,
                empty_label="None yet",
            )
            self.fields["responsibility_task"] = forms.CharField(
                label="What that district does",
                max_length=200,
                required=False,
                help_text="For example “hosts the chat” or “prepares the agenda”.",
            )
            self.fields["rotation_task"] = forms.CharField(
                label="Duty that rotates through the districts",
                max_length=200,
                required=False,
                help_text="For a repeating activity: each date goes to the next district, for example “hosts”.",
            )
            self.fields["rotation_days_before"] = forms.IntegerField(
                label="Due days before each date", min_value=0, max_value=365, initial=7, required=False
            )
            layout.append(
                Fieldset(
                    "Rotate a duty through districts (optional)",
                    HTML(
                        '<p class="small text-body-secondary">Every district of the community takes a turn, '
                        "in alphabetical order; change the order on the activity page.</p>"
                    ),
                    "rotation_task",
                    "rotation_days_before",
                )
            )
            layout.append(
                Fieldset(
                    "Responsibility (optional)",
                    HTML('<p class="small text-body-secondary">You can add more on the activity page.</p>'),
                    "responsible_district",
                    "responsibility_task",
                )
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(*layout)
        self.helper.add_input(Submit("save", "Save activity"))

    def clean(self):
        data = super().clean()
        zone = _zone_or_current(data.get("time_zone"))
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return data
        if data.get("all_day"):
            start = datetime.combine(start.date(), time())
            end = datetime.combine(end.date(), time()) + timedelta(days=1)
        start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
        if end < start or (end == start and not data.get("all_day")):
            self.add_error("end", "The end must be after the start.")
            return data
        data["start_utc"], data["end_utc"] = (
            start.astimezone(zoneinfo.ZoneInfo("UTC")),
            end.astimezone(zoneinfo.ZoneInfo("UTC")),
        )
        repeat = data.get("repeats") or Repeat.NONE
        if repeat == Repeat.CUSTOM and not data.get("custom_rule"):
            self.add_error("custom_rule", "Write the rule, or pick another way to repeat.")
            return data
        until = data.get("repeat_until")
        if until is not None and until < start.date():
            self.add_error("repeat_until", "Pick a date after the start.")
            return data
        try:
            rule = build_rule(
                repeat=repeat,
                local_start=start,
                count=data.get("repeat_count"),
                until=until,
                custom=data.get("custom_rule"),
            )
            check_rule(rule, start)
        except ValidationError as exc:
            self.add_error("custom_rule" if repeat == Repeat.CUSTOM else "repeats", exc)
            return data
        data["recurrence"] = rule
        district, task = data.get("responsible_district"), (data.get("responsibility_task") or "").strip()
        if district is not None and not task:
            self.add_error("responsibility_task", "Say what the district does, for example “hosts the chat”.")
        elif task and district is None:
            self.add_error("responsible_district", "Pick the district that does it.")
        if (data.get("rotation_task") or "").strip():
            if not rule:
                self.add_error(
                    "rotation_task", "A duty rotates over the dates of a repeating activity: pick how it repeats."
                )
            elif not self.community.districts.exists():
                self.add_error(
                    "rotation_task", "This community has no districts yet: add them on its manage page first."
                )
        return data

    def activity_fields(self):
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "kind": data["kind"],
            "description": data["description"],
            "time_zone": data["time_zone"],
            "all_day": data["all_day"],
            "start": data["start_utc"],
            "end": data["end_utc"],
            "location": data["location"].strip(),
            "meeting_url": data["meeting_url"],
            "focus_area": data["focus_area"],
            "recurrence": data["recurrence"],
        }

    def responsibility(self):
        district = self.cleaned_data.get("responsible_district")
        if district is None:
            return None
        return {"district": district, "task": self.cleaned_data["responsibility_task"]}

    def rotation(self):
        task = (self.cleaned_data.get("rotation_task") or "").strip()
        if not task:
            return None
        days = self.cleaned_data.get("rotation_days_before")
        return {"task": task, "districts": list(self.community.districts.order_by("name")), "days_before": days or 0}

    @classmethod
    def initial_for(cls, activity):
        """Initial values to edit ``activity``, shown in its own time zone."""
        zone = activity.zone
        start, end = activity.start.astimezone(zone), activity.end.astimezone(zone)
        if activity.all_day:
            end -= timedelta(days=1)
        return {
            "title": activity.title,
            "kind": activity.kind,
            "description": activity.description,
            "time_zone": activity.time_zone,
            "all_day": activity.all_day,
            "start": start.replace(tzinfo=None),
            "end": end.replace(tzinfo=None),
            "location": activity.location,
            "meeting_url": activity.meeting_url,
            "focus_area": activity.focus_area_id,
            "repeats": Repeat.CUSTOM if activity.recurrence else Repeat.NONE,
            "custom_rule": activity.recurrence,
        }


def occurrence_choices(activity, occurrences):
    label = dates.day if activity.all_day else dates.when
    return [(o.key, label(o.local_date if activity.all_day else o.start)) for o in occurrences]


class ResponsibilityForm(forms.Form):
    district = forms.ModelChoiceField(label="District", queryset=None)
    task = forms.CharField(label="What they do", max_length=200, help_text="For example “hosts the site visit”.")
    assignee = forms.ModelChoiceField(
        label="Person (optional)", queryset=None, required=False, empty_label="Anyone in the district"
    )
    occurrence = forms.ChoiceField(label="Date", required=False)
    due_date = forms.DateField(
        label="Due",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Defaults to the date of the activity.",
    )

    def __init__(self, *args, activity, occurrences=(), **kwargs):
        super().__init__(*args, **kwargs)
        community = activity.community
        self.activity = activity
        self.fields["district"].queryset = community.districts.all()
        self.fields["assignee"].queryset = (
            User.objects.filter(memberships__community=community).select_related("district").order_by("display_name")
        )
        self.fields["assignee"].label_from_instance = lambda u: f"{u.name} ({u.district})" if u.district_id else u.name
        if activity.is_recurring:
            self.fields["occurrence"].choices = [("", "Every date"), *occurrence_choices(activity, occurrences)]
        else:
            del self.fields["occurrence"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_occurrence(self):
        key = self.cleaned_data.get("occurrence")
        if not key:
            return None
        moment = parse_occurrence_key(key)
        if moment is None:
            raise ValidationError("Pick a date from the list.")
        return moment


class RotationForm(forms.Form):
    """Task, due offset and the districts' order: one select per turn, every district in name order by default."""

    task = forms.CharField(
        label="What the district does", max_length=200, help_text="For example “prepares the agenda”."
    )
    days_before = forms.IntegerField(label="Due days before each date", min_value=0, max_value=365, initial=7)

    def __init__(self, *args, community, rotation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.districts = list(community.districts.order_by("name"))
        order = rotation.ordered_districts() if rotation is not None else self.districts
        if rotation is not None and not self.is_bound:
            self.initial.update(task=rotation.task, days_before=rotation.days_before)
        choices = [("", "(no one)"), *((str(d.pk), d.name) for d in self.districts)]
        self.turn_names = []
        for i in range(max(len(self.districts), len(order))):
            name = f"turn_{i + 1}"
            self.turn_names.append(name)
            self.fields[name] = forms.ChoiceField(label=f"Turn {i + 1}", choices=choices, required=False)
            if not self.is_bound and i < len(order):
                self.initial[name] = str(order[i].pk)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        by_pk = {str(d.pk): d for d in self.districts}
        data["districts"] = [by_pk[data[name]] for name in self.turn_names if data.get(name) in by_pk]
        if not data["districts"] and not self.errors:
            self.add_error(None, "Pick at least one district to take turns.")
        return data


class RSVPForm(forms.Form):
    response = forms.ChoiceField(label="Will you come?", choices=RSVP.Response.choices, widget=forms.RadioSelect)
    occurrence = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        # Leaders see the responsibility form on the same page, which has an "occurrence" field too.
        kwargs.setdefault("auto_id", "rsvp_%s")
        super().__init__(*args, **kwargs)


class OccurrenceForm(forms.Form):
    occurrence = forms.CharField(max_length=20)

    def clean_occurrence(self):
        moment = parse_occurrence_key(self.cleaned_data["occurrence"])
        if moment is None:
            raise ValidationError("That date is not one of this activity's dates.")
        return moment


class MoveOccurrenceForm(OccurrenceForm):
    new_start = LocalDateTimeField(label="New start", help_text="In your time zone. The length stays the same.")

    def clean_new_start(self):
        value = self.cleaned_data["new_start"]
        return value.replace(tzinfo=timezone.get_current_timezone())


class ResponsibilityStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Responsibility.Status.choices)


class AttendanceForm(forms.Form):
    """Who came to one date: the community's members as checkboxes, pre-ticked from "going"."""

    occurrence = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    attendees = forms.ModelMultipleChoiceField(
        label="Who attended",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members
        self.fields["attendees"].label_from_instance = lambda user: user.name


class CheckInForm(forms.Form):
    occurrence = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    code = forms.CharField(
        label="Check-in code",
        max_length=12,
        help_text="The six letters and digits your host is showing.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class PlanCellForm(forms.Form):
    rotation = forms.IntegerField(min_value=1)
    occurrence = forms.CharField(max_length=20)
    district = forms.IntegerField(
        min_value=1, error_messages={"required": "Pick a district.", "invalid": "Pick a district from the list."}
    )

    def clean_occurrence(self):
        moment = parse_occurrence_key(self.cleaned_data["occurrence"])
        if moment is None:
            raise ValidationError("That date is not one of this activity's dates.")
        return moment
