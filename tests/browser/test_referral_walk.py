"""A referral walked in a real browser: the client manager of Gemeente Delft refers a
resident to Scope Delft, the coordinator accepts and moves the new member through the
journey, and the client manager sees each step arrive. Only the stage crosses back.

The pages are asserted through their structure (ids, form actions, `data-status` and
`data-stage`), not their wording, so the walk holds in Dutch whatever the translation."""

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.browser.support import new_page
from tests.browser.test_platform_pages import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.live]

CLIENT_MANAGER = "klantmanager@delft.example.org"
COORDINATOR = "coordinator@scope-delft.example.org"


def test_a_referral_from_the_municipality_to_membership(browser, live_platform):
    run = uuid.uuid4().hex[:6]
    resident = f"Sanne Verwijzing {run}"
    private = f"Alleen voor de coöperatie {run}"

    # 1. The client manager refers the resident, with consent for contact and hand-over.
    manager = new_page(browser, live_platform)
    sign_in(manager, CLIENT_MANAGER)
    manager.goto("/t/gemeente-delft/referrals/new")
    form = manager.locator("form[action$='/referrals/new']")
    form.locator("#resident_name").fill(resident)
    form.locator("#resident_email").fill(f"sanne.{run}@bewoner.example.org")
    form.locator("#client_reference").fill(f"KM-{run}")
    form.locator("#target_tenant_id").select_option(label="Sociale Coöperatie Scope Delft")
    form.locator("#handover").fill("Wil een naaiatelier beginnen; een werkplek en een maatje helpen.")
    form.locator("#consent").check()
    form.locator("#share_contact").check()
    form.locator("#share_handover").check()
    form.locator("button[type=submit]").click()
    expect(manager).to_have_url(re.compile(r"/t/gemeente-delft/referrals/\d+$"))
    referral_url = manager.url
    expect(manager.locator("#referral-status")).to_have_attribute("data-status", "sent")
    expect(manager.locator("#referral-stage")).to_have_attribute("data-stage", "")

    # 2. The coordinator finds it among the incoming referrals and accepts it.
    coordinator = new_page(browser, live_platform)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto("/t/scope-delft/incoming-referrals/")
    coordinator.get_by_role("link", name=resident).click()
    expect(coordinator.locator("#incoming-status")).to_have_attribute("data-status", "pending")
    expect(coordinator.get_by_text(f"KM-{run}")).to_have_count(0)  # the client reference stays behind
    coordinator.locator("form[action$='/accept'] button[type=submit]").click()
    expect(coordinator.locator("#incoming-status")).to_have_attribute("data-status", "accepted")

    manager.goto(referral_url)
    expect(manager.locator("#referral-status")).to_have_attribute("data-status", "accepted")
    expect(manager.locator("#referral-stage")).to_have_attribute("data-stage", "referred")

    # 3. On the member page the coordinator records the journey, step by step.
    coordinator.locator("main a[href*='/members/']").first.click()
    expect(coordinator).to_have_url(re.compile(r"/t/scope-delft/members/\d+$"))
    member_url = coordinator.url
    for stage in ("intake", "business_plan", "trial", "member"):
        step = coordinator.locator("form[action$='/transition']")
        step.locator("#to_stage").select_option(stage)
        step.locator("#on_date").fill(date.today().isoformat())
        step.locator("#reason").fill(f"{private}: {stage}")
        step.locator("button[type=submit]").click()
        expect(coordinator).to_have_url(member_url)

        # 4. ... and the client manager sees each step arrive, without the explanation.
        manager.goto(referral_url)
        expect(manager.locator("#referral-stage")).to_have_attribute("data-stage", stage)
        expect(manager.locator("#referral-status")).to_have_attribute("data-status", "accepted")
        expect(manager.get_by_text(private)).to_have_count(0)

    manager.goto("/t/gemeente-delft/referrals/")
    row = manager.locator("tr", has_text=resident)
    expect(row).to_have_attribute("data-stage", "member")
