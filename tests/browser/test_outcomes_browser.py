"""The municipality's outcome pages in a real browser, on the demo federation: the policy
advisor of Gemeente Delft has the figures computed, opens the dashboard (her own residents,
in full) and the peer comparison, where figures of other municipalities that could point
to a person show as suppressed, with the reason as a tooltip and no number.

Asserted through structure (ids, the `suppressed` class, `data-rule`), not wording, except
the one word for suppressed, which must be Dutch on a Dutch page."""

import re

import psycopg
import pytest
from playwright.sync_api import expect

from tests.browser.support import new_page
from tests.browser.test_platform_pages import sign_in
from tests.conftest import TEST_DATABASE

pytestmark = [pytest.mark.browser, pytest.mark.live]

ADVISOR = "beleid@delft.example.org"
SUPPRESSED_NL = "afgeschermd"


@pytest.fixture
def demo_peers(servers, live_platform):
    """The shipped reference data does not know the size and urbanity of most
    municipalities yet (platform/reference/README.md). For this test only, the demo's
    municipalities get the same size class and urbanity, so Delft has a peer group."""
    url = servers.database_url(f"{TEST_DATABASE}_live").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        codes = [code for (code,) in conn.execute("SELECT cbs_code FROM tenants WHERE cbs_code IS NOT NULL")]
        conn.execute("UPDATE reference_municipalities SET inhabitants = 120000, urbanity = 2 "
                      "WHERE cbs_code = ANY(%s)", (codes,))
    assert len(codes) > 5


def test_the_dashboard_and_the_peer_comparison_show_suppressed_cells(browser, live_platform, demo_peers):
    page = new_page(browser, live_platform)
    sign_in(page, ADVISOR)

    # Compute the figures now, and follow the job's progress bar until it is done.
    page.goto("/t/gemeente-delft/outcomes/")
    page.locator("#refresh-figures button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/t/gemeente-delft/jobs/\d+$"))
    expect(page.locator("progress#job-progress")).to_be_visible()
    status = page.locator(".job-status")
    expect(status).to_have_text(status.get_attribute("data-label-finished"), timeout=180_000)

    # The dashboard: the municipality's own figures, in full, with charts and their figures.
    page.goto("/t/gemeente-delft/outcomes/?period=last_12_months")
    expect(page.locator("#own-figures")).to_be_visible()
    expect(page.locator("#own-figures .suppressed")).to_have_count(0)
    expect(page.locator("#figures-as-of")).to_be_visible()
    members_chart = page.locator("#chart-members")
    expect(members_chart.locator("svg")).to_be_visible()
    members_chart.locator("details summary").click()
    expect(members_chart.locator("table.chart-figures")).to_be_visible()

    # The peer comparison: suppressed cells are marked, explained and carry no number.
    page.locator(".page-head a.button").click()
    expect(page).to_have_url(re.compile(r"/t/gemeente-delft/outcomes/peers"))
    expect(page.locator("#peer-basis")).to_be_visible()
    suppressed = page.locator("main .suppressed")
    expect(suppressed.first).to_be_visible()
    assert suppressed.count() > 0
    for index in range(min(suppressed.count(), 20)):
        cell = suppressed.nth(index)
        # The word itself (its reason follows for screen readers, visually hidden).
        assert cell.evaluate("e => e.firstChild.textContent").strip() == SUPPRESSED_NL
        assert cell.get_attribute("data-rule") in {"small_count", "small_base", "complementary",
                                                  "small_group_average", "dominance"}
        assert (cell.get_attribute("title") or "").strip()
    # No drill-down: nothing in the peer tables links anywhere.
    expect(page.locator(".peer-table a")).to_have_count(0)
