from django.urls import path, re_path

from truedesk.desk import (
    availability_views,
    case_views,
    notification_views,
    promise_views,
    rescue_views,
    views,
)

app_name = "desk"

# Numbers and ids are at most 18 digits: a longer one cannot exist and would
# overflow the database integer instead of answering 404.
CASE = r"^cases/(?P<number>[0-9]{1,18})/"
ID = r"(?P<pk>[0-9]{1,18})"

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queues, name="queues"),
    path("queue/<slug:slug>/", views.queue, name="queue"),
    path("unrouted/", views.unrouted, name="unrouted"),
    path("search/", views.search, name="search"),
    path("availability/", availability_views.availability_page, name="availability"),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/read/", notification_views.mark_all_read, name="notifications_read"),
    re_path(CASE + r"$", case_views.case_detail, name="case"),
    re_path(CASE + r"reply/$", case_views.case_reply, name="case_reply"),
    re_path(CASE + r"note/$", case_views.case_note, name="case_note"),
    re_path(CASE + r"take/$", case_views.case_take, name="case_take"),
    re_path(CASE + r"transfer/$", case_views.case_transfer, name="case_transfer"),
    re_path(CASE + r"callback/$", availability_views.case_callback, name="case_callback"),
    re_path(CASE + r"status/$", case_views.case_status, name="case_status"),
    re_path(CASE + r"edit/$", case_views.case_edit, name="case_edit"),
    re_path(CASE + r"clear-flag/$", case_views.case_clear_flag, name="case_clear_flag"),
    re_path(CASE + r"link/$", case_views.case_link, name="case_link"),
    re_path(CASE + r"rescue/$", rescue_views.case_rescue, name="case_rescue"),
    re_path(CASE + r"rescue/reset/$", rescue_views.case_rescue_reset, name="case_rescue_reset"),
    path("rescues/", rescue_views.rescues, name="rescues"),
    re_path(CASE + r"promises/$", promise_views.record_promise, name="promise_record"),
    re_path(rf"^promises/{ID}/keep/$", promise_views.keep_promise, name="promise_keep"),
    re_path(rf"^promises/{ID}/break/$", promise_views.break_promise, name="promise_break"),
    re_path(
        rf"^promises/{ID}/renegotiate/$",
        promise_views.renegotiate_promise,
        name="promise_renegotiate",
    ),
    re_path(rf"^transfers/{ID}/accept/$", views.accept_transfer, name="transfer_accept"),
    re_path(rf"^transfers/{ID}/decline/$", views.decline_transfer, name="transfer_decline"),
    re_path(rf"^transfers/{ID}/cancel/$", views.cancel_transfer, name="transfer_cancel"),
    re_path(rf"^customers/{ID}/$", views.customer, name="customer"),
    re_path(rf"^organisations/{ID}/$", views.organisation, name="organisation"),
]
