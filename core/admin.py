from django.contrib import admin

from core.models import EmailDelivery, Suppression


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "key", "subject"]
    readonly_fields = [field.name for field in EmailDelivery._meta.fields]


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Delete a row to write to that address again (after the person fixed their mailbox)."""

    list_display = ["address", "reason", "source", "created_at"]
    list_filter = ["reason", "source"]
    search_fields = ["address"]
