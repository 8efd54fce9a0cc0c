from django.contrib import admin
from django.urls import include, path

from truedesk.api.v1 import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("files/", include("truedesk.cases.urls")),
    path("desk/staffing/", include("truedesk.workforce.urls")),
    path("desk/routing/", include("truedesk.routing.urls")),
    path("desk/", include("truedesk.desk.urls")),
    path("portal/call-back/", include("truedesk.channels.contactcentre.urls")),
    path("portal/", include("truedesk.channels.portal.urls")),
    path("contact/", include("truedesk.channels.webform.urls")),
    path("partners/", include("truedesk.channels.partners.urls")),
    path("account/", include("truedesk.accounts.urls")),
    path("", include("truedesk.web.urls")),
]
