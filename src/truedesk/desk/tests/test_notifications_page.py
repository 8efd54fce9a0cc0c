from truedesk.notifications.actions import notify_staff


def test_staff_see_their_notifications_and_can_mark_them_read(client, world):
    notify_staff(
        recipient=world.alice,
        kind="promise_due",
        title="Call Dave back by 17:00",
        dedupe_key="p1",
        link="/desk/",
    )
    notify_staff(recipient=world.bob, kind="promise_due", title="Bob's own", dedupe_key="p2")
    client.force_login(world.alice)
    page = client.get("/desk/notifications/").content.decode()
    assert "Call Dave back by 17:00" in page and "Bob&#x27;s own" not in page
    client.post("/desk/notifications/read/")
    assert world.alice.notifications.filter(read_at__isnull=True).count() == 0


def test_notifications_page_is_for_staff_only(client, world):
    assert client.get("/desk/notifications/").status_code == 302
    client.force_login(world.dave_user)
    assert client.get("/desk/notifications/").status_code == 403


def test_empty_notifications_page_explains_what_will_appear(client, world):
    client.force_login(world.alice)
    assert "Nothing needs your attention" in client.get("/desk/notifications/").content.decode()
