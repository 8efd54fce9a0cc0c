from django.urls import path

from truedesk.accounts import views

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
]
