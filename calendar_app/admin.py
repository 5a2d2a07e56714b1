from django.contrib import admin

from calendar_app.models import RSVP, Activity, FeedToken, OccurrenceChange, Responsibility


class ResponsibilityInline(admin.TabularInline):
    model = Responsibility
    extra = 0
    raw_id_fields = ["assignee"]


class OccurrenceChangeInline(admin.TabularInline):
    model = OccurrenceChange
    extra = 0
    raw_id_fields = ["changed_by"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "kind", "start", "recurrence", "sequence"]
    list_filter = ["kind", "community"]
    search_fields = ["title"]
    raw_id_fields = ["organizer"]
    inlines = [ResponsibilityInline, OccurrenceChangeInline]


@admin.register(RSVP)
class RSVPAdmin(admin.ModelAdmin):
    list_display = ["activity", "user", "occurrence_start", "response"]
    raw_id_fields = ["activity", "user"]


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["token"]
