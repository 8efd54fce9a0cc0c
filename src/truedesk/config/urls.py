from django.contrib import admin
from django.urls import include, path

from truedesk.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("files/", include("truedesk.cases.urls")),
    path("desk/staffing/", include("truedesk.workforce.urls")),
    path("desk/", include("truedesk.desk.urls")),
    path("portal/", include("truedesk.channels.portal.urls")),
    path("account/", include("truedesk.accounts.urls")),
    path("", include("truedesk.web.urls")),
]
