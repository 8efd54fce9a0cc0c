from django.urls import path

from truedesk.channels.contactcentre import views

app_name = "contactcentre"
urlpatterns = [
    path("", views.new_callback, name="new_callback"),
    path("<int:callback_id>/", views.callback_detail, name="callback"),
    path("<int:callback_id>/wait/", views.callback_wait_panel, name="callback_wait"),
    path("<int:callback_id>/cancel/", views.cancel, name="cancel_callback"),
]
