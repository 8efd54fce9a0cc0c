from django.urls import path

from truedesk.routing import views

app_name = "routing"

urlpatterns = [
    path("", views.routing_page, name="page"),
    path("presence/", views.set_presence, name="presence"),
]
