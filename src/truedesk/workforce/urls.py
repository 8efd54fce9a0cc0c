from django.urls import path

from truedesk.workforce import views

app_name = "workforce"

urlpatterns = [
    path("", views.erlang, name="erlang"),
    path("plan/", views.plan, name="plan"),
]
