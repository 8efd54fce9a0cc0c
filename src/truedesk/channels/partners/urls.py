from django.urls import path

from truedesk.channels.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.home, name="home"),
    path("customers/<int:customer_id>/", views.customer_cases, name="customer"),
    path("customers/<int:customer_id>/cases/new/", views.new_case, name="new_case"),
    path("cases/<int:number>/", views.case_detail, name="case"),
    path("cases/<int:number>/reply/", views.reply, name="reply"),
]
