"""The placements of the baseline: in the two employer cooperatives of tests/conftest.py
(`employer_a`, `employer_b`, with `employer_coordinator_a/b` and `employer_contact_a`)
each a participant, an employer and an active placement there."""

from __future__ import annotations

from datetime import date

ORDER = 60

OBJECT_IDS = {
    "placement_id": lambda b: (b.extra["placement_a"], b.extra["placement_b"]),
    "employer_id": lambda b: (b.extra["placement_employer_a"], b.extra["placement_employer_b"]),
    "participant_id": lambda b: (b.extra["placement_participant_a"], b.extra["placement_participant_b"]),
}

NAMES = ("employer_a", "employer_b", "employer_coordinator_a", "employer_coordinator_b", "employer_contact_a")


def pair(baseline) -> dict:
    """The employer cooperatives and their people: name -> Org or Person."""
    return {name: getattr(baseline, name) for name in NAMES}


def _employer_cooperatives(orgs, people) -> dict:
    return {**{k: orgs[k] for k in NAMES[:2]}, **{k: people[k] for k in NAMES[2:]}}


def rows(orgs, people, extra) -> dict:
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.placements import do_add_employer, do_add_participant, do_start_placement

    made = _employer_cooperatives(orgs, people)
    for suffix, municipality in (("a", "municipality"), ("b", "municipality_b")):
        actor = made[f"employer_coordinator_{suffix}"].id
        contact = made["employer_contact_a"].id if suffix == "a" else None
        with tenant_context(made[f"employer_{suffix}"].id, actor):
            participant = do_add_participant(name=f"Participant {suffix.upper()}", date_of_birth=date(1990, 5, 1),
                                             benefit_municipality_id=orgs[municipality].id, actor_id=actor)
            employer = do_add_employer(name=f"Bakkerij {suffix.upper()}", kvk_number=f"6000000{suffix == 'b':d}",
                                       contact_user_id=contact, actor_id=actor)
            placement = do_start_placement(participant_id=participant.id, employer_id=employer.id,
                                           kind="jobs_agreement", start_date=date(2026, 2, 2), hours_per_week=24,
                                           guide="Jan (work coach)", guidance_plan="Weekly talk", actor_id=actor)
        made[f"placement_participant_{suffix}"] = participant.id
        made[f"placement_employer_{suffix}"] = employer.id
        made[f"placement_{suffix}"] = placement.id
    return made


def matrix_objects(kind, tenant, people) -> dict:
    """An active placement whose employer the matrix's employer is the contact of."""
    if kind != "employer_cooperative":
        return {}
    from koepel.platform.tenancy import tenant_context
    from koepel.tenants.placements import do_add_employer, do_add_participant, do_start_placement

    with tenant_context(tenant.id):
        participant = do_add_participant(name="Matrix Participant", actor_id=None)
        employer = do_add_employer(name="Matrix Employer", contact_user_id=people["employer"].id, actor_id=None)
        placement = do_start_placement(participant_id=participant.id, employer_id=employer.id, kind="participation",
                                       start_date=date(2026, 1, 5), hours_per_week=16, actor_id=None)
    return {"placement_id": placement.id, "employer_id": employer.id, "participant_id": participant.id}
