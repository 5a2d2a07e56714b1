from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import District, User


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "region")
    search_fields = ("name", "region")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "display_name", "district", "digest_frequency", "is_staff")
    list_filter = ("is_staff", "is_active", "digest_frequency", "can_create_communities")
    search_fields = ("username", "email", "display_name")
    list_select_related = ("district",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Forum",
            {
                "fields": (
                    "display_name",
                    "district",
                    "time_zone",
                    "digest_frequency",
                    "email_on_mention",
                    "email_on_reply",
                    "can_create_communities",
                    "bio",
                )
            },
        ),
    )
