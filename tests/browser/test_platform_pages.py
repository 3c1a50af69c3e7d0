"""The platform in a real browser: Debian's chromium, driven by Playwright."""

import pyotp
import pytest
from playwright.sync_api import expect

from koepel.platform.cli.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.live]


def sign_in(page, email, password=DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET):
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main button.button").click()
    page.wait_for_load_state()
    if "/login/two-factor" in page.url:
        page.locator("#code").fill(pyotp.TOTP(totp_secret).now())
        page.locator("main button.button").click()
        page.wait_for_load_state()


def test_a_coordinator_signs_in_in_dutch_and_lands_on_the_cooperatives_home(page):
    page.goto("/")
    expect(page).to_have_url("/login")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen bij Koepel")
    sign_in(page, "coordinator@scope-delft.example.org")
    expect(page).to_have_url("/t/scope-delft/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sociale Coöperatie Scope Delft")
    expect(page.get_by_text("Uw rol hier: Coördinator.")).to_be_visible()


def test_a_wrong_password_shows_a_message_by_the_field(page):
    page.goto("/login")
    page.get_by_label("E-mailadres").fill("coordinator@scope-delft.example.org")
    page.get_by_label("Wachtwoord").fill("not the password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Het e-mailadres of het wachtwoord is onjuist.")).to_be_visible()
    expect(page.get_by_label("Wachtwoord")).to_have_attribute("aria-invalid", "true")


def test_the_language_switch_turns_the_page_english_and_back(page):
    sign_in(page, "klantmanager@zoetermeer.example.org")
    expect(page).to_have_url("/t/gemeente-zoetermeer/")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url("/t/gemeente-zoetermeer/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("The workspace of your municipality")).to_be_visible()
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_a_coach_of_two_cooperatives_picks_one_and_switches_in_the_header(page):
    sign_in(page, "coach@example.org")
    expect(page).to_have_url("/tenants")
    page.get_by_role("link", name="Sociale Coöperatie Samen Zoetermeer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sociale Coöperatie Samen Zoetermeer")
    page.locator(".tenant-switcher summary").click()
    page.locator(".tenant-switcher").get_by_role("link", name="Sociale Coöperatie Scope Delft").click()
    expect(page).to_have_url("/t/scope-delft/")


def test_another_cooperatives_url_shows_the_not_found_page(page):
    sign_in(page, "coordinator@scope-delft.example.org")
    response = page.goto("/t/de-vrije-uitloop-breda/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")


def test_a_background_job_shows_its_progress_bar_until_the_download(page):
    sign_in(page, "coordinator@scope-delft.example.org")
    page.goto("/t/scope-delft/audit/")
    page.get_by_role("button", name="Exporteren als CSV").click()
    expect(page.locator("progress")).to_be_visible()
    expect(page.locator(".job-percent")).to_have_text("100%", timeout=30000)
    download_link = page.get_by_role("link", name="Download het resultaat")
    expect(download_link).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    assert info.value.suggested_filename.endswith(".csv")


def test_umbrella_staff_see_the_organisations_and_failed_jobs(page):
    sign_in(page, "beheer@koepel.example.org")
    page.get_by_role("navigation", name="Werkomgeving").get_by_role("link", name="Organisaties").click()
    expect(page.get_by_role("cell", name="Gemeente Zaanstad")).to_be_visible()
    page.get_by_role("link", name="Mislukte taken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mislukte taken")


def test_the_login_page_fits_a_phone(browser, live_platform):
    context = browser.new_context(base_url=live_platform.url, viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    unlabeled = page.evaluate(
        "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
        ".filter(el => !(el.labels && el.labels.length)).length"
    )
    assert unlabeled == 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    context.close()
