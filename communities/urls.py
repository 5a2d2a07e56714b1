from django.urls import path

from communities import views

app_name = "communities"
urlpatterns = [
    path("c/", views.directory, name="directory"),
    path("c/<slug:slug>/", views.home, name="home"),
]
