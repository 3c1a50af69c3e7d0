"""Meetings: planning and changing them in Amsterdam time, attendance (all lines or none),
the minutes, and what a member sees of them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from koepel.platform.audit import AuditEvent
from koepel.platform.dates import AMSTERDAM, amsterdam_today
from koepel.platform.db import db
from koepel.platform.tenancy import tenant_context
from koepel.tenants.meetings import (
    Attendance,
    Meeting,
    attendance_of,
    attendance_rate,
    do_plan_meeting,
    do_record_attendance,
    upcoming_meetings,
)
from koepel.tenants.members import do_register_member
from tests.conftest import person_with_role


def english(client):
    client.post("/language", data={"lang": "en"})
    return client


def url(baseline, path: str = "", slug: str | None = None) -> str:
    return f"/t/{slug or baseline.coop_a.slug}/meetings{path}"


def errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="field-error" id="([a-z_]+)-error"[^>]*>([^<]*)</p>', page))


def meeting_of(app, baseline, meeting_id) -> Meeting:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))
        db.session.expunge(meeting)
        return meeting


def statuses(app, baseline, meeting_id) -> dict[int, str]:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        return dict(db.session.execute(select(Attendance.member_id, Attendance.status)
                                       .where(Attendance.meeting_id == meeting_id)).all())


def count_meetings(app, baseline) -> int:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        return db.session.scalar(select(func.count()).select_from(Meeting))


def plan(app, baseline, day: date, start=time(19, 30), end=time(21, 0), title="Members' evening") -> int:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        meeting = do_plan_meeting(title=title, day=day, start=start, end=end, agenda="News", actor_id=None)
        db.session.commit()
        return meeting.id


def add_member(app, baseline, name: str, coach_id: int | None = None, stage="intake") -> int:
    with app.app_context(), tenant_context(baseline.coop_a.id):
        member = do_register_member(name=name, stage=stage, coach_user_id=coach_id, actor_id=None)
        db.session.commit()
        return member.id


# A Tuesday two to three weeks ahead.
NEXT_TUESDAY = amsterdam_today() + timedelta(days=14 + (1 - amsterdam_today().weekday()) % 7)
FORM = {"title": "Members' evening", "day": NEXT_TUESDAY.isoformat(), "start": "19:30", "end": "21:30",
        "location": "Buurthuis De Kolk", "agenda": "Round of news\r\nWho needs help"}


# --- planning and changing ----------------------------------------------------------------


def test_a_coordinator_plans_a_meeting(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    assert client.get(url(baseline, "/new")).status_code == 200
    response = client.post(url(baseline, "/new"), data=FORM)
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    meeting = meeting_of(app, baseline, meeting_id)
    assert meeting.title == "Members' evening" and meeting.location == "Buurthuis De Kolk"
    assert meeting.agenda == "Round of news\nWho needs help"
    assert meeting.starts_at == datetime.combine(NEXT_TUESDAY, time(19, 30), tzinfo=AMSTERDAM).astimezone(UTC)
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2)
    assert meeting.created_by_user_id == baseline.coordinator_a.id
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "meetings.planned", AuditEvent.object_id == str(meeting_id)))["title"] == FORM["title"]
    index = client.get(url(baseline)).get_data(as_text=True)
    upcoming, past = index.split('id="past-heading"')
    assert f'id="meeting-{meeting_id}"' in upcoming
    assert f'id="meeting-{baseline.extra["meeting_a"]}"' in past
    assert f"Tuesday {NEXT_TUESDAY.strftime('%d-%m-%Y')}, 19:30–21:30" in upcoming


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter a title."),
        ({"day": ""}, "day", "Enter the date."),
        ({"start": ""}, "start", "Enter the start time."),
        ({"end": "19:00"}, "end", "The meeting must end after it starts (on the same day)."),
        ({"end": "19:30"}, "end", "The meeting must end after it starts (on the same day)."),
        ({"day": "2026-03-29", "start": "02:30", "end": "04:00"}, "start",
         "This time does not exist on that day: the clocks go forward."),
        ({"agenda": "x" * 4001}, "agenda", "Keep the agenda to at most 4000 characters (now 4001)."),
    ],
)
def test_a_wrong_meeting_is_refused_and_nothing_is_stored(app, baseline, as_user, change, field, message):
    client = english(as_user(baseline.coordinator_a))
    before = count_meetings(app, baseline)
    response = client.post(url(baseline, "/new"), data={**FORM, **change})
    assert response.status_code == 400
    assert errors(response.get_data(as_text=True)).get(field) == message
    assert count_meetings(app, baseline) == before


def test_a_coach_changes_a_meeting_and_the_form_shows_amsterdam_times(app, baseline, as_user):
    meeting_id = plan(app, baseline, date(2026, 12, 15))
    client = english(as_user(baseline.coach_ab))
    form = client.get(url(baseline, f"/{meeting_id}/edit")).get_data(as_text=True)
    assert 'value="2026-12-15"' in form and 'value="19:30"' in form and 'value="21:00"' in form
    response = client.post(url(baseline, f"/{meeting_id}/edit"),
                           data={**FORM, "title": "Christmas evening", "day": "2026-12-15", "start": "18:00"})
    assert response.status_code == 302
    meeting = meeting_of(app, baseline, meeting_id)
    assert meeting.title == "Christmas evening"
    assert meeting.starts_at == datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
    with app.app_context(), tenant_context(baseline.coop_a.id):
        details = db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "meetings.changed", AuditEvent.object_id == str(meeting_id)))
    assert details == {"fields": ["agenda", "ends_at", "location", "starts_at", "title"]}


def test_a_meeting_with_attendance_cannot_move_to_the_future(app, baseline, as_user):
    client = english(as_user(baseline.coordinator_a))
    meeting_id = baseline.extra["meeting_a"]
    response = client.post(url(baseline, f"/{meeting_id}/edit"), data={**FORM, "day": (amsterdam_today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 400
    assert errors(response.get_data(as_text=True))["day"] == \
        "Attendance was recorded for this meeting: it cannot move to the future."
    assert meeting_of(app, baseline, meeting_id).starts_at.date() == date(2026, 11, 10)


@pytest.mark.parametrize(("day", "utc_hour"), [(date(2026, 1, 13), 18), (date(2026, 7, 14), 17)],
                         ids=["winter", "summer"])
def test_a_meeting_at_half_past_seven_in_amsterdam_shows_half_past_seven(app, baseline, as_user, day, utc_hour):
    client = english(as_user(baseline.coordinator_a))
    data = {**FORM, "day": day.isoformat(), "start": "19:30", "end": "21:00"}
    response = client.post(url(baseline, "/new"), data=data)
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    meeting = meeting_of(app, baseline, meeting_id)
    assert meeting.starts_at == datetime(day.year, day.month, day.day, utc_hour, 30, tzinfo=UTC)
    page = client.get(url(baseline, f"/{meeting_id}")).get_data(as_text=True)
    assert f"{day.strftime('%d-%m-%Y')}, 19:30–21:00" in page
    assert 'value="19:30"' in client.get(url(baseline, f"/{meeting_id}/edit")).get_data(as_text=True)
    # Saved again unchanged, it stays where it was (no drift by an hour).
    assert client.post(url(baseline, f"/{meeting_id}/edit"), data=data).status_code == 302
    assert meeting_of(app, baseline, meeting_id).starts_at == meeting.starts_at


# --- attendance ---------------------------------------------------------------------------


def test_attendance_is_recorded_for_every_line(app, baseline, as_user):
    meeting_id = baseline.extra["meeting_a"]
    other = add_member(app, baseline, "Second Member")
    client = english(as_user(baseline.coordinator_a))
    page = client.get(url(baseline, f"/{meeting_id}")).get_data(as_text=True)
    assert f'name="status-{baseline.extra["member_a"]}" value="present" aria-label="Baseline Member A: Present" checked' \
        in page
    assert f'name="status-{other}"' in page
    response = client.post(url(baseline, f"/{meeting_id}/attendance"),
                           data={f"status-{baseline.extra['member_a']}": "excused", f"status-{other}": "present"})
    assert response.status_code == 302
    assert statuses(app, baseline, meeting_id) == {baseline.extra["member_a"]: "excused", other: "present"}
    with app.app_context(), tenant_context(baseline.coop_a.id):
        details = db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == "meetings.attendance_recorded", AuditEvent.object_id == str(meeting_id))
            .order_by(AuditEvent.id.desc()).limit(1))
    assert details == {"counts": {"excused": 1, "present": 1}, "changed": 2}


@pytest.mark.parametrize("bad", ["other_tenant", "unknown", "not_a_number", "left", "wrong_status"])
def test_a_wrong_line_refuses_the_whole_attendance_form(app, baseline, as_user, bad):
    meeting_id = baseline.extra["meeting_a"]
    other = add_member(app, baseline, "Second Member")
    left = add_member(app, baseline, "Only Referred", stage="referred")  # not in the journey: not on the list
    form = {f"status-{baseline.extra['member_a']}": "absent", f"status-{other}": "present"}
    form.update({
        "other_tenant": {f"status-{baseline.extra['member_b']}": "present"},
        "unknown": {"status-987654321": "present"},
        "not_a_number": {"status-abc": "present"},
        "left": {f"status-{left}": "present"},
        "wrong_status": {f"status-{other}": "late"},
    }[bad])
    before = statuses(app, baseline, meeting_id)
    response = english(as_user(baseline.coordinator_a)).post(url(baseline, f"/{meeting_id}/attendance"), data=form)
    assert response.status_code == 400
    assert "Nothing was saved." in response.get_data(as_text=True)
    assert statuses(app, baseline, meeting_id) == before == {baseline.extra["member_a"]: "present"}


def test_attendance_waits_until_the_meeting_has_started(app, baseline, as_user):
    meeting_id = plan(app, baseline, amsterdam_today() + timedelta(days=7))
    client = english(as_user(baseline.coordinator_a))
    assert "Attendance can be recorded once the meeting has started." in \
        client.get(url(baseline, f"/{meeting_id}")).get_data(as_text=True)
    response = client.post(url(baseline, f"/{meeting_id}/attendance"),
                           data={f"status-{baseline.extra['member_a']}": "present"})
    assert response.status_code == 400
    assert statuses(app, baseline, meeting_id) == {}


def test_a_coach_records_only_the_members_they_coach(app, baseline, as_user):
    meeting_id = baseline.extra["meeting_a"]
    not_theirs = add_member(app, baseline, "Coached By Someone Else", coach_id=baseline.coordinator_a.id)
    client = english(as_user(baseline.coach_ab))
    page = client.get(url(baseline, f"/{meeting_id}")).get_data(as_text=True)
    assert "Coached By Someone Else" not in page and "Baseline Member A" in page
    response = client.post(url(baseline, f"/{meeting_id}/attendance"), data={f"status-{not_theirs}": "present"})
    assert response.status_code == 400
    assert not_theirs not in statuses(app, baseline, meeting_id)


# --- minutes ------------------------------------------------------------------------------


def test_minutes_are_written_once_the_meeting_has_started(app, baseline, as_user):
    meeting_id = baseline.extra["meeting_a"]
    client = english(as_user(baseline.coach_ab))
    response = client.post(url(baseline, f"/{meeting_id}/minutes"),
                           data={"minutes": "Fietsen A needs a second pair of hands on Saturdays."})
    assert response.status_code == 302
    meeting = meeting_of(app, baseline, meeting_id)
    assert meeting.minutes == "Fietsen A needs a second pair of hands on Saturdays."
    assert meeting.minutes_by_user_id == baseline.coach_ab.id and meeting.minutes_at is not None
    page = client.get(url(baseline, f"/{meeting_id}")).get_data(as_text=True)
    assert "Written by Coach Ab on" in page

    too_long = client.post(url(baseline, f"/{meeting_id}/minutes"), data={"minutes": "x" * 4001})
    assert too_long.status_code == 400
    assert errors(too_long.get_data(as_text=True))["minutes"] == \
        "Keep the minutes to at most 4000 characters (now 4001)."
    empty = client.post(url(baseline, f"/{meeting_id}/minutes"), data={"minutes": "  "})
    assert empty.status_code == 400
    assert meeting_of(app, baseline, meeting_id).minutes.startswith("Fietsen A needs")

    future = plan(app, baseline, amsterdam_today() + timedelta(days=3))
    response = client.post(url(baseline, f"/{future}/minutes"), data={"minutes": "Written ahead"})
    assert response.status_code == 400
    assert meeting_of(app, baseline, future).minutes == ""


# --- who sees what ------------------------------------------------------------------------


def test_a_member_sees_the_meeting_and_only_their_own_attendance(app, baseline, as_user):
    meeting_id = baseline.extra["meeting_a"]
    other = add_member(app, baseline, "Someone Else Entirely")
    with app.app_context(), tenant_context(baseline.coop_a.id):
        meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id))
        do_record_attendance(meeting, {other: "absent"}, eligible=[other], actor_id=None)
        db.session.commit()
    client = english(as_user(baseline.member_a))
    assert f'id="meeting-{meeting_id}"' in client.get(url(baseline)).get_data(as_text=True)
    page = client.get(url(baseline, f"/{meeting_id}")).get_data(as_text=True)
    assert "Round of news<br>Who needs help" in page
    assert "Everyone shared their week." in page
    assert "Your attendance: <strong>Present</strong>" in page
    assert "Someone Else Entirely" not in page and "Absent: " not in page
    assert 'name="status-' not in page and "/edit" not in page
    assert client.post(url(baseline, f"/{meeting_id}/minutes"), data={"minutes": "Mine"}).status_code == 403
    assert client.post(url(baseline, f"/{meeting_id}/attendance"),
                       data={f"status-{baseline.extra['member_a']}": "absent"}).status_code == 403
    assert client.get(url(baseline, "/new")).status_code == 403


def test_a_treasurer_reads_who_came_but_changes_nothing(app, baseline, as_user):
    meeting_id = baseline.extra["meeting_a"]
    with app.app_context():
        treasurer = person_with_role(baseline.coop_a.id, "treasurer", "meetings-treasurer@test.example.org")
    client = english(as_user(treasurer))
    page = client.get(url(baseline, f"/{meeting_id}")).get_data(as_text=True)
    assert '<th scope="row">Baseline Member A</th><td>Present</td>' in page
    assert 'name="status-' not in page
    assert client.post(url(baseline, f"/{meeting_id}/attendance"), data={}).status_code == 403
    assert client.get(url(baseline, f"/{meeting_id}/edit")).status_code == 403


def test_another_cooperatives_meeting_is_not_found(baseline, as_user):
    client = as_user(baseline.coordinator_a)
    assert client.get(url(baseline, f"/{baseline.extra['meeting_b']}")).status_code == 404
    assert client.post(url(baseline, f"/{baseline.extra['meeting_b']}/minutes"), data={"minutes": "x"}).status_code == 404


# --- the public read API ------------------------------------------------------------------


def test_upcoming_meetings_attendance_of_and_rate(app, baseline):
    today = amsterdam_today()
    later = plan(app, baseline, today + timedelta(days=14), title="Later")
    sooner = plan(app, baseline, today + timedelta(days=2), title="Sooner")
    this_morning = plan(app, baseline, today, start=time(0, 30), end=time(1, 0), title="Tonight, just past midnight")
    member_id = baseline.extra["member_a"]
    with app.app_context(), tenant_context(baseline.coop_a.id):
        assert [m.id for m in upcoming_meetings()] == [this_morning, sooner, later]
        assert [m.id for m in upcoming_meetings(limit=1)] == [this_morning]
        assert [m.id for m in upcoming_meetings(today=today + timedelta(days=3))] == [later]
        assert attendance_rate(member_id) == 1.0
        for day, status in [(date(2026, 9, 1), "absent"), (date(2026, 10, 1), "excused"), (date(2026, 10, 6), "absent")]:
            meeting = do_plan_meeting(title="Past", day=day, start=time(19, 30), end=time(21, 0), actor_id=None)
            do_record_attendance(meeting, {member_id: status}, eligible=[member_id], actor_id=None)
        # present once, absent twice; the excused absence does not count
        assert attendance_rate(member_id) == pytest.approx(1 / 3)
        history = attendance_of(member_id)
        assert [(m.starts_at.date(), status) for m, status in history] == [
            (date(2026, 11, 10), "present"), (date(2026, 10, 6), "absent"), (date(2026, 10, 1), "excused"),
            (date(2026, 9, 1), "absent")]
        newcomer = do_register_member(name="Newcomer", stage="intake", actor_id=None)
        assert attendance_rate(newcomer.id) is None and attendance_of(newcomer.id) == []
