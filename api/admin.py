from django.contrib import admin

from api.models import AccessToken, LmsPlatform, Webhook, WebhookDelivery


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "scope", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    raw_id_fields = ["user"]
    readonly_fields = ["key_hash", "prefix", "last_used_at"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "community", "is_active", "consecutive_failures", "created_at"]
    raw_id_fields = ["community", "created_by"]
    readonly_fields = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "webhook", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]
    raw_id_fields = ["webhook"]


@admin.register(LmsPlatform)
class LmsPlatformAdmin(admin.ModelAdmin):
    """A district's LMS: add its LTI registration and deployment (django-lti) first, then this."""

    list_display = ["registration", "community"]
    raw_id_fields = ["community", "registered_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.registered_by = request.user
        super().save_model(request, obj, form, change)
