from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from digests.models import CommunityNote, DigestDelivery, DigestRun


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = (
        "period",
        "kind",
        "started_at",
        "finished_at",
        "num_members",
        "sent_count",
        "skipped_count",
        "failed_count",
        "deliveries",
    )
    list_filter = ("kind",)
    readonly_fields = [f.name for f in DigestRun._meta.fields]

    @admin.display(description="deliveries")
    def deliveries(self, run):
        url = reverse("admin:digests_digestdelivery_changelist") + f"?period={run.period}"
        return format_html('<a href="{}">See deliveries</a>', url)

    def has_add_permission(self, request):
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ("user", "period", "status", "attempts", "sent_at", "error")
    list_filter = ("status", "period")
    search_fields = ("user__email", "user__username", "period")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CommunityNote)
class CommunityNoteAdmin(admin.ModelAdmin):
    list_display = ("community", "period", "author", "updated_at")
    list_filter = ("period",)
    search_fields = ("community__name", "body")
    list_select_related = ("community", "author")
    raw_id_fields = ("author",)
    readonly_fields = ("body_html",)
