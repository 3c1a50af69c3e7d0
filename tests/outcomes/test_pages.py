"""The outcome pages over a committed world of figures (`pages_support`): a municipality sees
its own figures in full and per cooperative; its peers only through disclosure control
(a peer figure of 7 is suppressed, 12 shows as 10, a table hides a second cell so the first
cannot be recovered); the period is validated; the council report is made by a job as PDF
and XLSX; the umbrella sees federation figures, all protected; roles decide who sees what."""

from __future__ import annotations

import html
import io
import re

import pytest
from rq import SimpleWorker

from koepel.platform.db import db
from koepel.platform.jobs import JobRun, queue
from koepel.platform.tenancy import tenant_context
from tests.conftest import person_with_role
from tests.outcomes import pages_support
from tests.outcomes.pages_support import PERIOD


@pytest.fixture(scope="module")
def world(_session_app, baseline, admin_dsn):
    pages_support.tear_down(admin_dsn, baseline.municipality.id)  # what a crashed run left
    try:
        yield pages_support.build_world(admin_dsn, baseline.municipality.id)
    finally:
        pages_support.tear_down(admin_dsn, baseline.municipality.id)


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def query(args: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in args.items())


def outcomes_url(baseline, path: str = "/", args: dict | None = PERIOD) -> str:
    return f"/t/{baseline.municipality.slug}/outcomes{path}" + (f"?{query(args)}" if args else "")


def table(page: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', page, re.S)
    assert match, f"no table {table_id}"
    return match.group(1)


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture
def finance(app, baseline):
    with app.app_context():
        return person_with_role(baseline.municipality.id, "finance", "finance-outcomes@test.example.org")


def cells_of(row_html: str) -> list[dict]:
    """Each <td>: its text, whether it is suppressed and by which rule (the hidden reason
    is left out of the text)."""
    out = []
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S):
        rule = re.search(r'class="suppressed" data-rule="([a-z_]+)" title="([^"]+)"', cell)
        visible = re.sub(r'<span class="visually-hidden">.*?</span>', "", cell, flags=re.S)
        out.append({"text": text(visible), "suppressed": bool(rule), "rule": rule.group(1) if rule else None,
                    "title": html.unescape(rule.group(2)) if rule else None})
    return out


def indicator_row(page: str, table_id: str, code: str) -> list[dict]:
    match = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', table(page, table_id), re.S)
    assert match, f"no row {code} in {table_id}"
    return cells_of(match.group(1))


def named_row(page: str, table_id: str, name: str) -> list[dict]:
    match = re.search(rf'<tr><th scope="row">{re.escape(html.escape(name))}</th>(.*?)</tr>', table(page, table_id),
                      re.S)
    assert match, f"no row {name} in {table_id}"
    return cells_of(match.group(1))


# -- the own page ---------------------------------------------------------------------------

def test_own_figures_in_full_in_total_and_per_cooperative(world, baseline, as_user):
    page = english(as_user(baseline.advisor)).get(outcomes_url(baseline)).get_data(as_text=True)
    head = text(re.search(r"<thead>(.*?)</thead>", table(page, "own-figures"), re.S).group(1))
    assert head == "Indicator All together Coöperatie Noord Coöperatie Zuid"
    # 7 members (5 + 2) at the end of 2025: shown as they are, no rounding, no suppression.
    assert [c["text"] for c in indicator_row(page, "own-figures", "members")] == ["7", "5", "2"]
    assert [c["text"] for c in indicator_row(page, "own-figures", "referred")] == ["4", "3", "1"]
    assert [c["text"] for c in indicator_row(page, "own-figures", "outflow_work")] == ["2", "2", "0"]
    assert not any(c["suppressed"] for c in indicator_row(page, "own-figures", "members"))
    assert [c["text"] for c in indicator_row(page, "own-figures", "saving_cents")] == [
        "€ 2.690,90", "€ 2.690,90", "€ 0,00"]
    assert [c["text"] for c in indicator_row(page, "own-figures", "returned_cents")][0] == "€ 50,00"
    # Earnings of November (the last settled month): 4 of 5 members, € 200 on average.
    assert [c["text"] for c in indicator_row(page, "own-figures", "share_with_earnings")][:2] == ["80%", "80%"]
    assert [c["text"] for c in indicator_row(page, "own-figures", "average_earnings")][0] == "€ 200,00"
    assert 'class="suppressed"' not in page
    summary = text(re.search(r'<p id="summary-text">(.*?)</p>', page, re.S).group(1))
    assert summary == ("In 2025 7 residents took part in 2 cooperatives. 3 left benefits for work or an own "
                       "business, 0 of them for at least 6 months. The estimated saving was € 2.691.")
    assert "Figures as of" in text(re.search(r'id="figures-as-of">(.*?)</p>', page, re.S).group(1))
    # Four charts, each with its figures one click away.
    for chart in ("chart-members", "chart-outflow", "chart-earnings", "chart-saving"):
        block = re.search(rf'<div class="chart-block" id="{chart}">(.*?)</details>', page, re.S).group(1)
        assert "<svg" in block and "<details>" in block
    months = re.search(r'id="chart-members">.*?<table class="chart-figures">(.*?)</table>', page, re.S).group(1)
    assert "<th scope=\"row\">Dec 25</th><td>7</td>" in months
    assert "<th scope=\"row\">Jun 25</th><td>4</td>" in months
    assert "€ 1.345,45" in text(re.search(r'id="saving-explained">(.*?)</section>', page, re.S).group(1))


@pytest.mark.parametrize("args, message", [
    ({"period": "someday"}, "Choose a period from the list."),
    ({"period": "custom", "first": "2025-13", "last": "2025-12"}, "The first month must look like 2025-01"),
    ({"period": "custom", "first": "2025-01"}, "The last month must look like 2025-01"),
    ({"period": "custom", "first": "2025-06", "last": "2025-01"}, "The first month must not come after the last"),
    ({"period": "custom", "first": "2025-01", "last": "2099-01"}, "The last month cannot lie in the future."),
    ({"period": "custom", "first": "1990-01", "last": "2025-01"}, "There are no figures before 2000."),
    ({"period": "custom", "first": "2005-01", "last": "2025-12"}, "Choose a period of at most 10 years."),
])
def test_a_bad_period_is_a_400_with_its_reason(world, baseline, as_user, args, message):
    client = english(as_user(baseline.advisor))
    for path in ("/", "/peers"):
        response = client.get(outcomes_url(baseline, path, args))
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert message in text(re.search(r'<p class="field-error" id="period-error"[^>]*>(.*?)</p>', page,
                                         re.S).group(1))
        assert 'id="own-figures"' not in page and 'id="comparison"' not in page


def test_the_preset_periods(world, baseline, as_user):
    client = english(as_user(baseline.advisor))
    for kind in ("this_year", "last_year", "last_12_months"):
        response = client.get(outcomes_url(baseline, "/", {"period": kind}))
        assert response.status_code == 200, kind
    page = client.get(outcomes_url(baseline, "/", None)).get_data(as_text=True)
    assert 'id="own-figures"' in page  # no period given: this year


# -- peers ----------------------------------------------------------------------------------

def test_peers_only_through_disclosure_control(world, baseline, as_user):
    page = english(as_user(baseline.advisor)).get(outcomes_url(baseline, "/peers")).get_data(as_text=True)
    basis = re.search(r'<section class="card" id="peer-basis" data-basis="([a-z_]+)">(.*?)</section>', page, re.S)
    assert basis.group(1) == "size_and_urbanity"
    assert "Size class: 50,000 to 100,000 inhabitants" in text(basis.group(2))
    assert "3 municipalities on the platform are in this group." in text(basis.group(2))
    assert "Anderdorp" not in page  # the same size, another urbanity
    # Own figures in full beside the peer group's: referred 4 of ours; the peers' 12 shows as 10.
    assert [c["text"] for c in indicator_row(page, "comparison", "referred")] == ["4", "10"]
    # Stopped: the peers' 7 is suppressed, with its reason as a tooltip.
    stopped = indicator_row(page, "comparison", "stopped")
    assert stopped[0]["text"] == "0" and stopped[1]["suppressed"]
    assert stopped[1]["text"] == "suppressed"
    assert stopped[1]["title"] == "suppressed: fewer than 10 people"
    # Members: ours 7 in full; the peers' 304 rounded to 305.
    assert [c["text"] for c in indicator_row(page, "comparison", "members")] == ["7", "305"]
    # Money sums of others are never shown.
    assert indicator_row(page, "comparison", "saving_cents")[1]["text"] == "—"


def test_the_per_peer_table_hides_a_second_cell(world, baseline, as_user):
    page = english(as_user(baseline.advisor)).get(outcomes_url(baseline, "/peers")).get_data(as_text=True)
    een = named_row(page, "peer-table-lengths", "Peerstad Een")  # 7, 20, 30, 40 | 97
    assert een[0]["suppressed"] and een[0]["rule"] == "small_count"
    # 7 alone would be its row total minus the others: a second cell of the row is hidden.
    assert sum(1 for c in een[:4] if c["rule"] == "complementary") >= 1
    assert een[3]["text"] == "40" and een[4]["text"] == "95"  # 97 rounded
    # The column of the hidden 7 hides another cell too, so its total gives nothing away.
    column = [named_row(page, "peer-table-lengths", name)[0] for name in ("Peerstad Twee", "Peerstad Drie")]
    assert any(c["rule"] == "complementary" for c in column)
    totals = cells_of(re.search(r"<tfoot>(.*?)</tfoot>", table(page, "peer-table-lengths"), re.S).group(1))
    assert totals[-1]["text"] == "305"
    # No drill-down into a peer: its name is no link, and there is no per-cooperative breakdown.
    assert not re.search(r"<a [^>]*>Peerstad", page)
    assert "Coöperatie Noord" not in page


def test_no_peer_group_is_said_so(world, baseline, as_user):
    page = english(as_user(baseline.official_b)).get(
        f"/t/{baseline.municipality_b.slug}/outcomes/peers?{query(PERIOD)}").get_data(as_text=True)
    assert 'data-basis="none"' in page
    assert "is not known yet" in text(re.search(r'id="peer-basis"[^>]*>(.*?)</section>', page, re.S).group(1))
    assert 'id="no-peers"' in page and 'id="comparison"' not in page


def test_another_municipality_sees_none_of_ours(world, baseline, as_user):
    page = english(as_user(baseline.official_b)).get(
        f"/t/{baseline.municipality_b.slug}/outcomes/?{query(PERIOD)}").get_data(as_text=True)
    assert [c["text"] for c in indicator_row(page, "own-figures", "members")] == ["0"]
    assert "Coöperatie Noord" not in page


# -- roles ----------------------------------------------------------------------------------

def test_who_sees_what(world, baseline, as_user, finance):
    advisor, manager, money = as_user(baseline.advisor), as_user(baseline.client_manager), as_user(finance)
    assert advisor.get(outcomes_url(baseline)).status_code == 200
    assert advisor.get(outcomes_url(baseline, "/peers")).status_code == 200
    # The client manager follows residents: the own outcomes, not the peers, the report or a refresh.
    assert manager.get(outcomes_url(baseline)).status_code == 200
    assert manager.get(outcomes_url(baseline, "/peers")).status_code == 403
    assert manager.post(outcomes_url(baseline, "/report", None), data={**PERIOD, "format": "pdf"}).status_code == 403
    assert manager.post(outcomes_url(baseline, "/refresh", None)).status_code == 403
    page = manager.get(outcomes_url(baseline)).get_data(as_text=True)
    assert 'id="refresh-figures"' not in page and 'id="council-report"' not in page
    # Finance: outcomes, peers and the report; the refresh is the policy advisor's.
    assert money.get(outcomes_url(baseline, "/peers")).status_code == 200
    assert money.post(outcomes_url(baseline, "/refresh", None)).status_code == 403
    # A cooperative has no outcome pages; a municipality no federation page.
    coordinator = as_user(baseline.coordinator_a)
    assert coordinator.get(f"/t/{baseline.coop_a.slug}/outcomes/").status_code == 404
    assert advisor.get(f"/t/{baseline.municipality.slug}/federation/outcomes/").status_code == 404
    assert as_user(baseline.official_b).get(outcomes_url(baseline)).status_code == 404  # another municipality's


def test_the_home_shows_outcomes_at_a_glance_and_what_waits(world, baseline, as_user):
    page = english(as_user(baseline.advisor)).get(f"/t/{baseline.municipality.slug}/").get_data(as_text=True)
    glance = re.search(r'id="outcomes-at-a-glance">(.*?)</section>', page, re.S)
    assert glance, "no outcomes panel on the municipality's home"
    assert 'href="/t/gemeente-m/outcomes/"' in glance.group(1)
    waiting = re.search(r'id="municipality-waiting">(.*?)</section>', page, re.S).group(1)
    assert 'id="referrals-by-status"' in waiting and 'id="settlements-awaiting"' in waiting
    # A cooperative's home has no such panel.
    coop = as_user(baseline.coordinator_a).get(f"/t/{baseline.coop_a.slug}/").get_data(as_text=True)
    assert "outcomes-at-a-glance" not in coop


# -- refresh and the council report ---------------------------------------------------------

def test_refresh_queues_the_computation_and_shows_its_progress(app, world, baseline, as_user):
    client = as_user(baseline.advisor)
    page = client.get(outcomes_url(baseline)).get_data(as_text=True)
    assert re.search(r'<form method="post" action="/t/gemeente-m/outcomes/refresh" id="refresh-figures">', page)
    response = client.post(outcomes_url(baseline, "/refresh", None))
    assert response.status_code == 302
    job_id = int(re.search(r"/jobs/(\d+)$", response.headers["Location"]).group(1))
    with app.app_context(), tenant_context(baseline.municipality.id):
        run = db.session.get(JobRun, (baseline.municipality.id, job_id))
        assert run.kind == "outcomes.aggregate" and run.status == "queued"
    assert "<progress" in client.get(response.headers["Location"]).get_data(as_text=True)
    # A second click while it waits queues nothing new.
    again = client.post(outcomes_url(baseline, "/refresh", None))
    assert again.headers["Location"] == response.headers["Location"]


def work(app) -> None:
    with app.app_context():
        q = queue()
        SimpleWorker([q], connection=q.connection).work(burst=True)


def _report(app, client, baseline, fmt: str) -> bytes:
    response = client.post(outcomes_url(baseline, "/report", None), data={**PERIOD, "format": fmt})
    assert response.status_code == 302
    job_page = response.headers["Location"]
    work(app)
    status = client.get(job_page + "/status").get_json()
    assert status["status"] == "finished" and status["has_download"], status
    download = client.get(job_page + "/download")
    assert download.status_code == 200
    return download.data


def test_the_council_report_as_pdf(app, world, baseline, as_user, finance):
    pdf = _report(app, english(as_user(finance)), baseline, "pdf")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5000


def test_the_council_report_as_xlsx(app, world, baseline, as_user):
    from openpyxl import load_workbook

    client = english(as_user(baseline.advisor))
    book = load_workbook(io.BytesIO(_report(app, client, baseline, "xlsx")))
    summary = [row[0] for row in book["Summary"].iter_rows(values_only=True)]
    assert summary[:2] == ["Gemeente M", "2025"]
    assert summary[2].startswith("In 2025 7 residents took part in 2 cooperatives.")
    own = {row[0]: row[1:] for row in book["Own figures"].iter_rows(values_only=True)}
    assert own["Active members"][:3] == ("7", "5", "2")
    peers = {row[0]: row[1:] for row in book["Peers"].iter_rows(values_only=True)}
    assert peers["Residents referred or started"][:2] == ("4", "10")
    assert peers["Stopped"][1] == "suppressed"
    assert book["Peers"].cell(row=[r[0] for r in book["Peers"].iter_rows(values_only=True)].index("Stopped") + 1,
                              column=3).comment.text == "suppressed: fewer than 10 people"
    assert peers["Peerstad Een"][0] == "suppressed"


def test_a_bad_report_request_is_a_400_and_queues_nothing(app, world, baseline, as_user):
    client = english(as_user(baseline.advisor))
    for data in ({**PERIOD, "format": "doc"}, {"period": "custom", "first": "2025-09", "last": "2025-01",
                                                "format": "pdf"}):
        assert client.post(outcomes_url(baseline, "/report", None), data=data).status_code == 400
    with app.app_context(), tenant_context(baseline.municipality.id):
        assert db.session.query(JobRun).filter(JobRun.kind == "outcomes.council_report").count() == 0


# -- the umbrella ---------------------------------------------------------------------------

def test_the_umbrella_sees_federation_figures_all_protected(world, baseline, as_user):
    client = english(as_user(baseline.umbrella_admin))
    url = f"/t/{baseline.umbrella.slug}/federation/outcomes/?{query(PERIOD)}"
    page = client.get(url).get_data(as_text=True)
    # 7 + 97 + 117 + 90 + 50 members at the end of 2025: 361, shown as 360; nothing unrounded.
    assert indicator_row(page, "federation-totals", "members")[0]["text"] == "360"
    assert indicator_row(page, "federation-totals", "stopped")[0]["suppressed"]  # 7
    december = named_row(page, "federation-months", "Dec 25")
    assert december[0]["text"] == "360"
    june = named_row(page, "federation-months", "Jun 25")
    assert june[0]["suppressed"]  # 4 members in June
    sizes = table(page, "peer-table-lengths")
    assert "50,000 to 100,000 inhabitants" in sizes and "Size unknown" in sizes
    assert 'class="suppressed"' in sizes
    assert re.search(r'<form method="post" action="/t/koepel/federation/outcomes/refresh" id="refresh-figures">', page)
    # The umbrella's figures are no municipality's: no names of municipalities or cooperatives.
    assert "Peerstad" not in page and "Coöperatie Noord" not in page
    # A municipality's people have no federation page; the umbrella no municipality page.
    assert as_user(baseline.advisor).get(f"/t/{baseline.umbrella.slug}/federation/outcomes/").status_code == 404
    assert client.get(f"/t/{baseline.umbrella.slug}/outcomes/").status_code == 404
