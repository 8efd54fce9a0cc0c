from django.urls import re_path

from truedesk.cases import views

app_name = "cases"

urlpatterns = [
    # At most 18 digits: a longer id cannot exist and would overflow the database integer.
    re_path(r"^(?P<pk>[0-9]{1,18})/$", views.download_attachment, name="attachment"),
]
