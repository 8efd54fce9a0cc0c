from django.urls import path

from truedesk.channels.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.new_case, name="new_case"),
    path("cases/<int:number>/", views.case_detail, name="case"),
    path("cases/<int:number>/reply/", views.reply, name="reply"),
]
