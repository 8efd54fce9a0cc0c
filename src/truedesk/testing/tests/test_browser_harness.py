import pytest

pytestmark = pytest.mark.browser


def test_login_page_loads_htmx_under_the_csp_without_console_errors(page, live_world):
    page.goto("/accounts/login/")
    assert page.title().startswith("Sign in")
    page.wait_for_function("() => window.htmx !== undefined")


def test_wrong_password_is_refused_with_a_message(page, live_world):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Your username and password")
