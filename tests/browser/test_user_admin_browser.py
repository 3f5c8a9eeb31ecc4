"""A council's user administrator invites a colleague, and switches an account off, with the
keyboard alone on a phone; the invitee chooses a password from the e-mailed link. Every page
is checked with axe-core and must not scroll sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"


@pytest.fixture
def council_admin(transactional_db: Any, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    from homecare.accounts import actions, user_admin_actions
    from homecare.accounts.models import Organisation

    council = actions.create_organisation(
        "Testshire County Council", kind=Organisation.Kind.COUNCIL, acting_user=None
    )
    admin = actions.create_persona(
        "council-admin",
        password=PASSWORD,
        organisation=council,
        role="commissioner",
        first_name="Robin",
        last_name="Ashdown",
        acting_user=None,
    )
    user_admin_actions.change_roles(
        admin, council, {"commissioner", "user_admin"}, acting_user=None
    )
    return admin


@pytest.fixture
def phone(browser: Any, live_server: Any, council_admin: Any) -> Iterator[Visit]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Visit(page, live_server.url)
    context.close()


def fits(visit: Visit, name: str) -> None:
    visit.check(name)
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways: {width}"


def press_on(visit: Visit, selector: str, key: str = "Enter") -> None:
    visit.tab_to(selector)
    visit.page.keyboard.press(key)


def test_inviting_and_switching_off_by_keyboard_on_a_phone(phone: Visit) -> None:
    from django.core import mail

    page = phone.page
    phone.goto("/accounts/sign-in/")
    phone.type_into("#username", "council-admin")
    phone.type_into("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{phone.base_url}/")

    phone.goto("/users/")
    fits(phone, "users list phone")
    press_on(phone, "a[href='/users/invite/']")
    page.wait_for_url("**/users/invite/")
    press_on(phone, "main button[type=submit]")  # nothing filled in: every field is named
    page.wait_for_selector(".govuk-error-summary")
    fits(phone, "invite errors phone")
    phone.type_into("#email", "sam.okafor@example.org")
    phone.type_into("#first_name", "Sam")
    phone.type_into("#last_name", "Okafor")
    press_on(phone, "input[value=broker]", key="Space")
    press_on(phone, "main button[type=submit]")
    page.wait_for_url(re.compile(r".*/users/\d+/$"))
    assert "We have sent sam.okafor@example.org an invitation" in page.content()
    fits(phone, "invited user phone")

    press_on(phone, "a[href$='/switch-off/']")
    page.wait_for_url("**/switch-off/")
    fits(phone, "switch off phone")
    press_on(phone, "#confirm")
    page.wait_for_url(re.compile(r".*/users/\d+/$"))
    assert "account is switched off" in page.content()

    press_on(phone, "form[action$='/switch-on/'] button")
    page.wait_for_selector("text=switched back on")

    link = re.search(r"http://\S+/users/invitation/\S+/", mail.outbox[-1].body)
    assert link is not None
    invitee = phone.in_new_context(page.context.browser)
    invitee.page.set_viewport_size(PHONE)
    invitee.goto(link[0].replace("http://localhost:8000", ""))
    fits(invitee, "choose password phone")
    invitee.type_into("#new_password1", "a long enough passphrase")
    invitee.type_into("#new_password2", "a long enough passphrase")
    invitee.page.keyboard.press("Enter")
    invitee.page.wait_for_url("**/users/invitation/done/")
    fits(invitee, "password saved phone")


def test_the_forgotten_password_pages_by_keyboard_on_a_phone(phone: Visit) -> None:
    page = phone.page
    phone.goto("/accounts/sign-in/")
    press_on(phone, "a[href='/users/password-reset/']")
    page.wait_for_url("**/users/password-reset/")
    fits(phone, "forgotten password phone")
    phone.type_into("#email", "nobody@example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**/users/password-reset/sent/")
    fits(phone, "check your email phone")
