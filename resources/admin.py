from django.contrib import admin

from resources.models import Collection, CollectionItem, CurationDecision, Resource


class CurationDecisionInline(admin.TabularInline):
    model = CurationDecision
    extra = 0
    readonly_fields = ("moderator", "action", "reason", "created_at")
    can_delete = False


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "kind", "status", "link_status", "useful_count", "created_at")
    list_filter = ("status", "kind", "link_status", "community")
    search_fields = ("title", "description", "tags")
    raw_id_fields = ("submitted_by", "curated_by", "discussion_thread")
    filter_horizontal = ("focus_areas",)
    inlines = [CurationDecisionInline]


class CollectionItemInline(admin.TabularInline):
    model = CollectionItem
    extra = 0
    raw_id_fields = ("resource",)


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ("title", "community", "position", "created_at")
    list_filter = ("community",)
    inlines = [CollectionItemInline]
