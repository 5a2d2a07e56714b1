from django.contrib import admin

from communities.models import Community, FocusArea, Invitation, JoinRequest, Membership


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    extra = 0
    filter_horizontal = ("leaders",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "visibility", "join_policy", "audience", "created_at")
    list_filter = ("visibility", "join_policy", "audience")
    search_fields = ("name", "slug", "domain")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("districts",)
    raw_id_fields = ("created_by",)
    inlines = [FocusAreaInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "is_moderator", "is_district_leader", "is_mentor", "joined_at")
    list_filter = ("is_moderator", "is_district_leader", "is_mentor", "community")
    list_select_related = ("user", "community")
    raw_id_fields = ("user",)
    search_fields = ("user__username", "user__email")


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("user", "community")
    raw_id_fields = ("user", "decided_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "community", "created_at", "expires_at", "accepted_at", "revoked")
    list_select_related = ("community",)
    raw_id_fields = ("invited_by", "accepted_by")
