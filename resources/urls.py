from django.urls import path

from resources import views

app_name = "resources"

C = "c/<slug:slug>/resources/"

urlpatterns = [
    path(C, views.library, name="library"),
    path(f"{C}submit/", views.submit, name="submit"),
    path(f"{C}review/", views.review, name="review"),
    path(f"{C}<int:pk>/", views.detail, name="detail"),
    path(f"{C}<int:pk>/edit/", views.edit, name="edit"),
    path(f"{C}<int:pk>/decide/", views.decide, name="decide"),
    path(f"{C}<int:pk>/useful/", views.mark_useful, name="useful"),
    path(f"{C}<int:pk>/save/", views.save, name="save"),
    path(f"{C}<int:pk>/download/", views.download, name="download"),
    path(f"{C}<int:pk>/discuss/", views.discuss, name="discuss"),
    path(f"{C}collections/", views.collections, name="collections"),
    path(f"{C}collections/new/", views.collection_new, name="collection_new"),
    path(f"{C}collections/<int:pk>/", views.collection, name="collection"),
    path(f"{C}collections/<int:pk>/edit/", views.collection_edit, name="collection_edit"),
    path(f"{C}collections/<int:pk>/items/", views.collection_add, name="collection_add"),
    path(f"{C}collections/<int:pk>/items/<int:item_pk>/", views.collection_item, name="collection_item"),
    path("resources/saved/", views.saved, name="saved"),
]
