from django.urls import path
from lti_tool.views import jwks

from api import lti

app_name = "lti"

urlpatterns = [
    path("lti/login/", lti.LoginInit.as_view(), name="login"),
    path("lti/launch/", lti.launch_view, name="launch"),
    path("lti/deep-link/", lti.deep_link_view, name="deep_link"),
    path("lti/jwks/", jwks, name="jwks"),
]
