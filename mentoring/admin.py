from django.contrib import admin

from mentoring.models import MentorProfile, MentorRequest, Pairing


@admin.register(MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "role", "capacity", "is_active")
    list_filter = ("is_active", "role")
    raw_id_fields = ("user", "community")


@admin.register(MentorRequest)
class MentorRequestAdmin(admin.ModelAdmin):
    list_display = ("mentee", "community", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("mentee", "community")


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    # The pair's messages are private: the admin shows who and when, never what they wrote.
    list_display = ("mentor", "mentee", "community", "status", "started_at", "last_check_in_at")
    list_filter = ("status",)
    raw_id_fields = ("mentor", "mentee", "community", "request", "profile", "suggested_by", "ended_by")
