app_name = "polls"
urlpatterns = []
