"""The placement pages per role: the coordinator's lists, forms and retention; what a
coach may do; an employer sees only its own placements; bad input is a 400 that changes
nothing; another tenant's objects are 404s."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.placements import (
    Placement,
    do_add_employer,
    do_end_placement,
    do_start_placement,
)
from tests.conftest import person_with_role
from tests.placements.baseline import pair


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([a-z_]+)-error"[^>]*>([^<]*)</p>', page))


@pytest.fixture
def e(baseline):
    return pair(baseline)


def url(e, path: str = "", which: str = "employer_a") -> str:
    return f"/t/{e[which].slug}/placements{path}"


def as_role(app, e, role: str, email: str):
    with app.app_context():
        return person_with_role(e["employer_a"].id, role, email)


def placements(app, e) -> list[Placement]:
    with app.app_context(), tenant_context(e["employer_a"].id):
        found = list(db.session.scalars(select(Placement).order_by(Placement.id)))
        db.session.expunge_all()
        return found


def test_the_coordinator_sees_the_list_and_filters_it(app, baseline, e, as_user):
    with app.app_context(), tenant_context(e["employer_a"].id):
        other = do_add_employer(name="Fietsenmaker C", actor_id=None)
        ended = do_start_placement(participant_id=baseline.extra["placement_participant_a"], employer_id=other.id,
                                   kind="sheltered", start_date=date(2025, 1, 6), hours_per_week=12, actor_id=None)
        do_end_placement(ended, end_date=date(2025, 5, 1), reason="health", actor_id=None)
        db.session.commit()
        ended_id, other_id = ended.id, other.id
    client = english(as_user(e["employer_coordinator_a"]))
    page = client.get(url(e)).get_data(as_text=True)
    assert f'id="placement-{baseline.extra["placement_a"]}"' in page and f'id="placement-{ended_id}"' in page
    active = client.get(url(e, "?status=active")).get_data(as_text=True)
    assert f'id="placement-{baseline.extra["placement_a"]}"' in active and f'id="placement-{ended_id}"' not in active
    only_ended = client.get(url(e, "?status=ended")).get_data(as_text=True)
    assert f'id="placement-{ended_id}"' in only_ended and "Health" in only_ended
    assert f'id="placement-{baseline.extra["placement_a"]}"' not in only_ended
    by_employer = client.get(url(e, f"?employer={other_id}")).get_data(as_text=True)
    assert f'id="placement-{ended_id}"' in by_employer
    assert f'id="placement-{baseline.extra["placement_a"]}"' not in by_employer
    # Nonsense in the filters is no filter, never an error.
    assert client.get(url(e, "?status=x&employer=abc")).status_code == 200


def test_a_coordinator_starts_a_placement_through_the_form(app, baseline, e, as_user):
    client = english(as_user(e["employer_coordinator_a"]))
    assert client.get(url(e, "/new")).status_code == 200
    form = {"participant_id": str(baseline.extra["placement_participant_a"]),
            "employer_id": str(baseline.extra["placement_employer_a"]), "kind": "regular",
            "start_date": "01-10-2026", "hours_per_week": "32", "guide": "Piet", "guidance_plan": "Monthly review"}
    response = client.post(url(e, "/new"), data=form)
    assert response.status_code == 302
    made = placements(app, e)[-1]
    assert (made.kind, made.start_date, made.hours_per_week, made.guide) == ("regular", date(2026, 10, 1), 32, "Piet")
    assert response.headers["Location"].endswith(f"/placements/{made.id}")
    page = client.get(url(e, f"/{made.id}")).get_data(as_text=True)
    assert "Monthly review" in page and "Regular job with guidance" in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"hours_per_week": "0"}, "hours_per_week", "from 1 to 40"),
    ({"hours_per_week": "41"}, "hours_per_week", "from 1 to 40"),
    ({"hours_per_week": "many"}, "hours_per_week", "Not a valid integer value."),
    ({"start_date": "31-02-2026"}, "start_date", "Enter a date as dd-mm-yyyy."),
    ({"participant_id": "abc"}, "participant_id", "Choose a participant from the list."),
    ({"kind": "<script>"}, "kind", "Choose the kind of placement from the list."),
])
def test_bad_input_shows_the_form_again_and_saves_nothing(app, baseline, e, as_user, changes, field, message):
    client = english(as_user(e["employer_coordinator_a"]))
    form = {"participant_id": str(baseline.extra["placement_participant_a"]),
            "employer_id": str(baseline.extra["placement_employer_a"]), "kind": "participation",
            "start_date": "01-10-2026", "hours_per_week": "20", **changes}
    before = len(placements(app, e))
    response = client.post(url(e, "/new"), data=form)
    assert response.status_code == 400
    assert message in errors(response.get_data(as_text=True))[field]
    assert len(placements(app, e)) == before


def test_ending_a_placement_through_the_page(app, baseline, e, as_user):
    client = english(as_user(e["employer_coordinator_a"]))
    placement_id = baseline.extra["placement_a"]
    early = client.post(url(e, f"/{placement_id}/end"), data={"end_date": "01-01-2026", "reason": "moved"})
    assert early.status_code == 400
    assert "cannot be before the start date (02-02-2026)" in errors(early.get_data(as_text=True))["end_date"]
    assert placements(app, e)[0].end_date is None
    done = client.post(url(e, f"/{placement_id}/end"), data={"end_date": "30-09-2026", "reason": "contract_ended"})
    assert done.status_code == 302
    ended = next(p for p in placements(app, e) if p.id == placement_id)
    assert (ended.end_date, ended.end_reason) == (date(2026, 9, 30), "contract_ended")
    again = client.post(url(e, f"/{placement_id}/end"), data={"end_date": "01-10-2026", "reason": "moved"})
    assert again.status_code == 400 and "already ended" in again.get_data(as_text=True)


def test_employers_and_participants_are_added_on_their_pages(app, e, as_user):
    client = english(as_user(e["employer_coordinator_a"]))
    bad = client.post(url(e, "/employers/add"), data={"name": "Kaas BV", "kvk_number": "123"})
    assert bad.status_code == 400 and "8 digits" in errors(bad.get_data(as_text=True))["kvk_number"]
    assert client.post(url(e, "/employers/add"), data={"name": "Kaas BV", "kvk_number": "87654321"}).status_code == 302
    assert "87654321" in client.get(url(e, "/employers")).get_data(as_text=True)
    response = client.post(url(e, "/participants/add"), data={"name": "Noor", "date_of_birth": "02-03-1991"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Noor" in page and "02-03-1991" in page


def test_a_coach_writes_but_does_not_see_retention(app, e, as_user):
    coach = as_user(as_role(app, e, "coach", "placement-coach@test.example.org"))
    assert coach.get(url(e, "/new")).status_code == 200
    assert coach.get(url(e, "/retention")).status_code == 403


def test_a_participant_sees_no_placement_pages(app, baseline, e, as_user):
    participant = as_user(as_role(app, e, "participant", "placement-participant@test.example.org"))
    for path in ("", "/employers", "/participants", f"/{baseline.extra['placement_a']}", "/retention"):
        assert participant.get(url(e, path)).status_code == 403, path


def test_an_employer_sees_only_its_own_placements(app, baseline, e, as_user):
    with app.app_context(), tenant_context(e["employer_a"].id):
        other = do_add_employer(name="Someone Else BV", actor_id=None)
        theirs = do_start_placement(participant_id=baseline.extra["placement_participant_a"], employer_id=other.id,
                                    kind="participation", start_date=date(2026, 4, 1), hours_per_week=8, actor_id=None)
        db.session.commit()
        theirs_id, other_id = theirs.id, other.id
    employer = english(as_user(e["employer_contact_a"]))
    own_id = baseline.extra["placement_a"]
    page = employer.get(url(e)).get_data(as_text=True)
    assert f'id="placement-{own_id}"' in page and f'id="placement-{theirs_id}"' not in page
    assert employer.get(url(e, f"/{own_id}")).status_code == 200
    assert employer.get(url(e, f"/{theirs_id}")).status_code == 404
    employers = employer.get(url(e, "/employers")).get_data(as_text=True)
    assert "Bakkerij A" in employers and "Someone Else BV" not in employers
    assert f'id="employer-{other_id}"' not in employers
    # ... reads, never writes.
    assert employer.get(url(e, "/new")).status_code == 403
    assert employer.post(url(e, f"/{own_id}/end"), data={"end_date": "01-10-2026", "reason": "moved"}).status_code == 403
    assert employer.get(url(e, "/retention")).status_code == 403


def test_the_retention_page_shows_the_figures_and_the_chart(app, baseline, e, as_user):
    with app.app_context(), tenant_context(e["employer_a"].id):
        employer_id, participant_id = baseline.extra["placement_employer_a"], baseline.extra["placement_participant_a"]
        for start, end, reason in ((date(2024, 1, 8), None, None), (date(2024, 2, 5), date(2024, 4, 1), "dropped_out"),
                                   (date(2024, 3, 4), date(2024, 6, 1), "permanent_job")):
            placement = do_start_placement(participant_id=participant_id, employer_id=employer_id, kind="sheltered",
                                           start_date=start, hours_per_week=30, actor_id=None)
            if end:
                do_end_placement(placement, end_date=end, reason=reason, actor_id=None)
        db.session.commit()
    page = english(as_user(e["employer_coordinator_a"])).get(url(e, "/retention")).get_data(as_text=True)
    year = re.search(r'<tr id="year-2024">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', year) == ["3", "2", "3", "2"]
    assert "Share of placements that lasted 6 months, by start year (%)" in page
    assert '<th scope="row">2024</th><td>67</td>' in page  # the chart's figures, for a screen reader


def test_another_tenants_objects_are_not_found(app, baseline, e, as_user):
    client = as_user(e["employer_coordinator_b"])
    for path in (f"/{baseline.extra['placement_a']}", f"/{baseline.extra['placement_a']}/edit",
                 f"/employers/{baseline.extra['placement_employer_a']}/edit",
                 f"/participants/{baseline.extra['placement_participant_a']}"):
        assert client.get(url(e, path, "employer_b")).status_code == 404, path
        assert client.get(url(e, path)).status_code == 404, path
    before = placements(app, e)[0]
    response = client.post(url(e, f"/{baseline.extra['placement_a']}/end", "employer_b"),
                           data={"end_date": "01-10-2026", "reason": "moved"})
    assert response.status_code == 404
    assert placements(app, e)[0].end_date == before.end_date


def test_a_social_cooperative_has_no_placement_pages(baseline, as_user):
    assert as_user(baseline.coordinator_a).get(f"/t/{baseline.coop_a.slug}/placements").status_code == 404


def test_a_form_naming_another_tenants_participant_is_refused(app, baseline, e, as_user):
    client = english(as_user(e["employer_coordinator_a"]))
    response = client.post(url(e, "/new"), data={
        "participant_id": str(baseline.extra["placement_participant_b"]),
        "employer_id": str(baseline.extra["placement_employer_a"]), "kind": "participation",
        "start_date": "01-10-2026", "hours_per_week": "20"})
    assert response.status_code == 400
    assert "Choose a participant from the list." in errors(response.get_data(as_text=True))["participant_id"]
    with app.app_context(), tenant_context(e["employer_a"].id):
        assert db.session.scalar(select(func.count()).select_from(Placement)) == 1
