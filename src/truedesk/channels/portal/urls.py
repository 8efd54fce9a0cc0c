from django.urls import path

from truedesk.channels.portal import partner_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.new_case, name="new_case"),
    path("cases/<int:number>/", views.case_detail, name="case"),
    path("cases/<int:number>/reply/", views.reply, name="reply"),
    path("partners/", partner_views.partners, name="partners"),
    path("partners/<int:pk>/revoke/", partner_views.revoke_partner, name="revoke_partner"),
]
