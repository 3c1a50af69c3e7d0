"""The meetings of the baseline: in cooperative A and B a meeting that took place, with
its member's attendance."""

from __future__ import annotations

from datetime import date, time

ORDER = 40

OBJECT_IDS = {
    "meeting_id": lambda b: (b.extra["meeting_a"], b.extra["meeting_b"]),
}


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.meetings import do_plan_meeting, do_record_attendance, do_write_minutes

    made = {}
    for key, suffix in (("coop_a", "a"), ("coop_b", "b")):
        actor = people[f"coordinator_{suffix}"].id
        with tenant_context(orgs[key].id, actor):
            meeting = do_plan_meeting(title=f"Members' evening {suffix.upper()}", day=date(2026, 11, 10),
                                      start=time(19, 30), end=time(21, 30), location="Buurthuis",
                                      agenda="Round of news\nWho needs help", actor_id=actor)
            member_id = extra[f"member_{suffix}"]
            do_record_attendance(meeting, {member_id: "present"}, eligible=[member_id], actor_id=actor)
            do_write_minutes(meeting, "Everyone shared their week.", actor_id=actor)
        made[f"meeting_{suffix}"] = meeting.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """A meeting of the cooperative that has started (attendance and minutes may be posted)."""
    if kind != "cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.meetings import do_plan_meeting

    with tenant_context(tenant.id):
        meeting = do_plan_meeting(title="Matrix meeting", day=date(2026, 1, 13), start=time(19, 30), end=time(21, 0),
                                  actor_id=None)
    return {"meeting_id": meeting.id}
