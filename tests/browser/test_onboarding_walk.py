"""Issue walks in a real browser: a cooperative joins the federation and builds its
team; a suspended organisation can read but not change anything."""

import re
import uuid

import pyotp
import pytest
from playwright.sync_api import expect

from koepel.platform.cli.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.browser.support import new_page
from tests.browser.test_platform_pages import sign_in
from tests.live.platform_process import mail_link

pytestmark = [pytest.mark.browser, pytest.mark.live]

PASSWORD = "een lang en eigen wachtwoord"


def test_sign_up_approval_verification_invitation_and_two_factor(browser, live_platform):
    run = uuid.uuid4().hex[:6]
    name = f"Sociale Coöperatie Leiden Onderneemt {run}"
    coordinator_email = f"sanne.{run}@leiden.example.org"
    coach_email = f"jeroen.{run}@leiden.example.org"

    # 1. The applicant signs the cooperative up on the public page.
    applicant = new_page(browser, live_platform)
    applicant.goto("/start")
    expect(applicant.get_by_role("heading", level=1)).to_have_text("Start uw coöperatie op Koepel")
    applicant.locator("#name").fill(name)
    applicant.locator("#legal_form").select_option("cooperatie_ua")
    applicant.locator("#kvk_number").fill("12345678")
    applicant.locator("#vat_number").fill("NL004495445B01")
    applicant.locator("#iban").fill("NL91 ABNA 0417 1643 00")
    applicant.locator("#street").fill("Breestraat 1")
    applicant.locator("#postal_code").fill("2311 CH")
    applicant.locator("#city").fill("Leiden")
    applicant.locator("#coordinator_name").fill("Sanne de Wit")
    applicant.locator("#email").fill(coordinator_email)
    applicant.locator("#password").fill(PASSWORD)
    applicant.locator("#password_confirm").fill(PASSWORD)
    applicant.locator("main button.button").click()
    expect(applicant).to_have_url(re.compile(r"/start/done"))

    # 2. Umbrella staff approve it from the queue.
    staff = new_page(browser, live_platform)
    sign_in(staff, "beheer@koepel.example.org")
    staff.goto("/t/koepel/admin/applications")
    application = staff.locator("section.card", has_text=name)
    application.get_by_role("button", name="Goedkeuren").click()
    expect(staff.locator("section.card", has_text=name)).to_have_count(0)

    # 3. The coordinator confirms the address from the mail and signs in.
    applicant.goto(mail_link(live_platform.instance, coordinator_email, "/account/verify/"))
    sign_in(applicant, coordinator_email, PASSWORD)
    expect(applicant.get_by_role("heading", level=1)).to_have_text(name)
    home = applicant.url

    # 4. ... and invites a coach.
    applicant.goto(home + "people/")
    invite = applicant.locator("form[action$='/people/invite']")
    invite.locator("#email").fill(coach_email)
    invite.locator("#role").select_option("coach")
    invite.get_by_role("button").click()
    expect(applicant.get_by_role("cell", name=coach_email)).to_be_visible()

    # 5. The coach accepts, creating an account, and enrols two-factor.
    coach = new_page(browser, live_platform)
    coach.goto(mail_link(live_platform.instance, coach_email, "/invitations/"))
    coach.locator("#name").fill("Jeroen Bakker")
    coach.locator("#password").fill(PASSWORD)
    coach.locator("#password_confirm").fill(PASSWORD)
    coach.locator("main button.button").click()
    expect(coach.get_by_role("heading", level=1)).to_have_text(name)
    coach.goto("/account/two-factor")
    secret = coach.locator(".secret").inner_text().replace(" ", "")
    enrol = coach.locator("form:has(#code)")
    enrol.locator("#code").fill(pyotp.TOTP(secret).now())
    enrol.get_by_role("button").click()
    expect(coach.get_by_text("herstelcodes", exact=False).first).to_be_visible()

    # 6. Signing in again now asks for a code, and the code lets the coach in.
    coach.context.clear_cookies()
    coach.goto("/login")
    coach.locator("#email").fill(coach_email)
    coach.locator("#password").fill(PASSWORD)
    coach.locator("main button.button").click()
    expect(coach).to_have_url(re.compile(r"/login/two-factor"))
    coach.locator("#code").fill(pyotp.TOTP(secret).now())
    coach.locator("main button.button").click()
    expect(coach.get_by_role("heading", level=1)).to_have_text(name)
    expect(coach.get_by_text("Uw rol hier: Begeleider.")).to_be_visible()


def test_a_suspended_organisation_reads_but_cannot_change_anything(browser, live_platform):
    staff = new_page(browser, live_platform)
    sign_in(staff, "beheer@koepel.example.org", DEMO_PASSWORD, DEMO_TOTP_SECRET)
    staff.goto("/t/koepel/admin/tenants")
    staff.get_by_role("link", name="Sociale Coöperatie Zaans Ondernemen").click()
    detail = staff.url

    def change_status(action, reason=""):
        staff.goto(detail)
        form = staff.locator("form[action$='/status']")
        form.locator("#action").select_option(action)
        form.locator("#reason").fill(reason)
        form.get_by_role("button").click()

    change_status("suspended", "Jaarstukken ontbreken")
    try:
        coordinator = new_page(browser, live_platform)
        sign_in(coordinator, "coordinator@zaans-ondernemen.example.org")
        expect(coordinator).to_have_url("/t/zaans-ondernemen/")
        expect(coordinator.get_by_role("heading", level=1)).to_have_text("Sociale Coöperatie Zaans Ondernemen")
        coordinator.goto("/t/zaans-ondernemen/people/")
        invite = coordinator.locator("form[action$='/people/invite']")
        invite.locator("#email").fill("nieuw@zaanstad.example.org")
        invite.get_by_role("button").click()
        expect(coordinator.get_by_text("Deze organisatie is opgeschort: Jaarstukken ontbreken")).to_be_visible()
        coordinator.goto("/t/zaans-ondernemen/people/")
        expect(coordinator.get_by_role("cell", name="nieuw@zaanstad.example.org")).to_have_count(0)
    finally:
        change_status("reactivated", "Jaarstukken ontvangen")
    coordinator.goto("/t/zaans-ondernemen/people/")
    invite = coordinator.locator("form[action$='/people/invite']")
    invite.locator("#email").fill("nieuw@zaanstad.example.org")
    invite.get_by_role("button").click()
    expect(coordinator.get_by_role("cell", name="nieuw@zaanstad.example.org")).to_be_visible()
