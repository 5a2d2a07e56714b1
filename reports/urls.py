from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("me/record/", views.my_record, name="my_record"),
    path("me/record/certificate/", views.issue_certificate, name="issue_certificate"),
    path("me/record/certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("c/<slug:slug>/manage/records/<str:username>/", views.member_record, name="member_record"),
    path("c/<slug:slug>/manage/hours.csv", views.hours_csv, name="hours_csv"),
]
urlpatterns += [
    path("c/<slug:slug>/manage/health/", views.health, name="health"),
    path("c/<slug:slug>/manage/health/<slug:table>.csv", views.health_csv, name="health_csv"),
]
urlpatterns += [
    path("c/<slug:slug>/manage/goals/", views.goals, name="goals"),
    path("c/<slug:slug>/manage/goals/<int:pk>/remove/", views.remove_goal, name="remove_goal"),
]
urlpatterns += [
    path("c/<slug:slug>/manage/impact/", views.impact, name="impact"),
    path("c/<slug:slug>/manage/impact.pdf", views.impact_pdf, name="impact_pdf"),
]
