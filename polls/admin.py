from django.contrib import admin

from polls.models import Choice, Poll, PollSeries


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    # Ballots are deliberately not in the admin: for anonymous polls there is
    # nothing to link them to anyone, and named results live on the poll page.
    list_display = ("question", "community", "kind", "is_anonymous", "opens_at", "closes_at", "round")
    list_filter = ("kind", "is_anonymous", "community")
    search_fields = ("question",)
    raw_id_fields = ("created_by", "focus_area", "series")
    inlines = [ChoiceInline]


admin.site.register(PollSeries)
