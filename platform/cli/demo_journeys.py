"""The daily life of the demo cooperatives: members on their journey, with ladder
measurements, coaching, meetings and referrals from the municipality.

Dates are relative to the day the demo is loaded, so that a trial is always about to end
and measurements are due somewhere, as on a real Monday morning.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from koepel.platform.auth.models import User
from koepel.platform.dates import add_months
from koepel.platform.db import db
from koepel.platform.jobs import do_enqueue
from koepel.platform.money import Money
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.tenants.agreements import (
    Agreement,
    AgreementVersion,
    Terms,
    do_accept_version,
    do_propose_agreement,
)
from koepel.tenants.coaching import do_add_goal, do_add_note, do_update_goal
from koepel.tenants.invoices import (
    DELIVER_JOB,
    LineInput,
    do_create_customer,
    do_create_draft,
    do_issue,
)
from koepel.tenants.ladder import do_measure
from koepel.tenants.ledger import Line, account, do_post
from koepel.tenants.meetings import do_plan_meeting, do_record_attendance, do_write_minutes
from koepel.tenants.members import (
    ACTIVE_STAGES,
    JourneyTransition,
    Member,
    do_link_account,
    do_register_member,
    do_transition,
    do_update_member,
)
from koepel.tenants.payments import do_import
from koepel.tenants.placements import (
    do_add_employer,
    do_add_participant,
    do_end_placement,
    do_start_placement,
)
from koepel.tenants.pots import do_approve, do_request
from koepel.tenants.referrals import IncomingReferral, do_accept_referral, do_send_referral
from koepel.tenants.settlements import Settlement, do_close_month, do_process

# name, email, trade name, activity, coach email, [(stage, days ago, outcome, why), ...]
# The first step is where the journey started.
SCOPE_MEMBERS = [
    ("Kees van Dijk", "lid@scope-delft.example.org", "Kees Fietst", "Fietsreparaties",
     "coach@example.org",
     [("referred", 620, None, "Verwezen door de klantmanager"), ("intake", 600, None, ""),
      ("business_plan", 570, None, "Wil fietsen repareren voor studenten"), ("trial", 520, None, ""),
      ("member", 430, None, "Proefperiode ging goed")]),
    ("Ayşe Yılmaz", "kandidaat@scope-delft.example.org", "Ayşe's Atelier", "Naaien en kledingreparatie",
     "coach@example.org",
     [("intake", 120, None, "Kwam binnen op de open dag"), ("business_plan", 95, None, ""),
      ("trial", 80, None, "Begint met reparaties voor een stomerij")]),
    ("Johan Verbeek", None, "Tuin & Zo", "Tuinonderhoud", "coordinator@scope-delft.example.org",
     [("referred", 900, None, ""), ("intake", 880, None, ""), ("business_plan", 850, None, ""),
      ("trial", 800, None, ""), ("member", 710, None, ""),
      ("outflow", 150, "own_business", "Eigen bedrijf ingeschreven bij de KvK")]),
    ("Samira Benali", None, "Samira Catering", "Catering voor kleine evenementen", "coach@example.org",
     [("referred", 400, None, ""), ("intake", 380, None, ""), ("business_plan", 350, None, ""),
      ("trial", 300, None, ""), ("member", 210, None, "")]),
    ("Piotr Nowak", None, "Klusbedrijf Nowak", "Klussen en kleine reparaties", "coordinator@scope-delft.example.org",
     [("referred", 300, None, ""), ("intake", 290, None, ""), ("business_plan", 260, None, ""),
      ("trial", 230, None, ""), ("member", 140, None, "")]),
    ("Mirjam de Boer", None, "Mirjams Mozaïek", "Mozaïekworkshops", "coach@example.org",
     [("intake", 700, None, ""), ("business_plan", 670, None, ""), ("trial", 640, None, ""),
      ("member", 550, None, ""), ("outflow", 60, "regular_job", "In dienst bij een buurthuis")]),
    ("Lotte Kramer", None, None, None, "coordinator@scope-delft.example.org",
     [("referred", 200, None, ""), ("intake", 190, None, ""),
      ("stopped", 160, "health", "Stopt voorlopig; komt misschien later terug")]),
    ("Henk Postma", None, "Henk's Houtwerk", "Meubelrestauratie", "coach@example.org",
     [("intake", 30, None, ""), ("business_plan", 10, None, "")]),
]


def _user_id(email: str | None) -> int | None:
    return db.session.scalar(select(User.id).where(User.email == email)) if email else None


# Rungs measured along each journey: (days after the first step, rung).
LADDER_STEPS = {
    "Kees van Dijk": [(20, 2), (200, 3), (390, 4), (580, 5)],
    "Ayşe Yılmaz": [(5, 2)],
    "Johan Verbeek": [(20, 3), (200, 4), (380, 5), (560, 5), (740, 6)],
    "Samira Benali": [(20, 2), (200, 4)],
    "Piotr Nowak": [(10, 3), (190, 4)],
    "Mirjam de Boer": [(10, 3), (190, 4), (370, 4), (550, 5)],
    "Henk Postma": [],  # his intake measurement is due
}


def seed_cooperative_life(tenants: dict[str, Tenant], today: date | None = None) -> None:
    today = today or date.today()
    scope = tenants["scope-delft"]
    coordinator = _user_id("coordinator@scope-delft.example.org")
    _seed_members(scope, coordinator, today)
    _seed_ladder_and_coaching(scope, coordinator, today)
    _seed_meetings(scope, coordinator, today)
    _seed_referrals(tenants, today)
    _seed_money(tenants, today)
    _seed_placements(tenants["werkgevers-drechtsteden"], today)


# Drechtsteden's placements: (participant, employer, kind, months ago started, hours, ended:
# (months ago, reason) or None).
DRECHTSTEDEN_PLACEMENTS = (
    ("Daan Peters", "Bakkerij Van der Linden", "jobs_agreement", 14, 24, None),
    ("Fatima El Amrani", "Bakkerij Van der Linden", "participation", 8, 16, None),
    ("Joris de Wit", "Installatiebedrijf Noord", "regular", 20, 32, (5, "permanent_job")),
    ("Lotte Smit", "Installatiebedrijf Noord", "sheltered", 10, 20, (7, "health")),
    ("Ruben Janssen", "Zorgboerderij De Linde", "participation", 3, 12, None),
)


def _seed_placements(employers: Tenant, today: date) -> None:
    """A few participants of Werkgeverscoöperatie Drechtsteden at its employers, one of
    whom moved on to a permanent job elsewhere."""
    coordinator = _user_id("coordinator@drechtsteden.example.org")
    contact = _user_id("werkgever@drechtsteden.example.org")
    with tenant_context(employers.id, coordinator):
        made = {}
        for name in dict.fromkeys(employer for _p, employer, *_rest in DRECHTSTEDEN_PLACEMENTS):
            made[name] = do_add_employer(name=name, contact_user_id=contact if name.startswith("Bakkerij") else None,
                                         actor_id=coordinator).id
        for person, employer, kind, months_ago, hours, ended in DRECHTSTEDEN_PLACEMENTS:
            participant = do_add_participant(name=person, actor_id=coordinator, today=today)
            placement = do_start_placement(
                participant_id=participant.id, employer_id=made[employer], kind=kind,
                start_date=add_months(today, -months_ago), hours_per_week=hours, guide="Erik Mulder (begeleider)",
                guidance_plan="Elke twee weken een gesprek op de werkplek; na drie maanden een evaluatie.",
                actor_id=coordinator, today=today)
            if ended:
                do_end_placement(placement, end_date=add_months(today, -ended[0]), reason=ended[1],
                                 actor_id=coordinator, today=today)


def _seed_members(scope: Tenant, coordinator: int | None, today: date) -> None:
    with tenant_context(scope.id, coordinator):
        for name, email, trade_name, activity, coach_email, steps in SCOPE_MEMBERS:
            (first, days_ago, _, why), *later = steps
            account = _user_id(email)
            member = do_register_member(
                name=name, email=email, municipality="Delft", stage=first, reason=why,
                on_date=today - timedelta(days=days_ago), today=today,
                referral_source="municipality" if first == "referred" else "self",
                coach_user_id=_user_id(coach_email),
                business={"trade_name": trade_name, "activity": activity, "description": ""} if trade_name else None,
                actor_id=coordinator,
            )
            for stage, days_ago, outcome, why in later:
                do_transition(member, stage, on_date=today - timedelta(days=days_ago), outcome=outcome, reason=why,
                              actor_id=coordinator, today=today)
            if account is not None:
                do_link_account(member, account, actor_id=coordinator)


def _members_by_name() -> dict[str, Member]:
    return {m.name: m for m in db.session.scalars(select(Member))}


def _seed_ladder_and_coaching(scope: Tenant, coordinator: int | None, today: date) -> None:
    coach = _user_id("coach@example.org")
    with tenant_context(scope.id, coordinator):
        members = _members_by_name()
        for name, steps in LADDER_STEPS.items():
            member = members[name]
            started = min(t.on_date for t in _transitions(member))
            for after, rung in steps:
                on = min(started + timedelta(days=after), today)
                do_measure(member, rung=rung, measured_on=on, note="", actor_id=member.coach_user_id or coordinator,
                           today=today)
        kees, ayse = members["Kees van Dijk"], members["Ayşe Yılmaz"]
        do_add_note(kees, held_on=today - timedelta(days=21), kind="business_skills", actor_id=coach,
                    body="Prijzen van reparaties doorgenomen: een lekke band voor 12,50 dekt de tijd.\n"
                         "Afgesproken: Kees vraagt de studentenhuisvesting naar een reparatiedag.",
                    next_appointment_on=today + timedelta(days=7))
        do_add_note(ayse, held_on=today - timedelta(days=10), kind="personal", actor_id=coach,
                    body="De proefperiode gaat goed; de stomerij stuurt elke week werk.\n"
                         "Afgesproken: uren per klus bijhouden, om de volgende keer over prijzen te praten.",
                    next_appointment_on=today + timedelta(days=4))
        goal = do_add_goal(kees, title="Tien vaste klanten", description="Studenten en buren die terugkomen",
                           target_on=today + timedelta(days=90), actor_id=coach)
        do_update_goal(goal, progress=60, status="open", note="Deze maand kwamen zes klanten terug", actor_id=coach)
        do_add_goal(ayse, title="Prijslijst voor kledingreparaties", target_on=today + timedelta(days=30), actor_id=coach)


def _transitions(member: Member):
    return db.session.scalars(select(JourneyTransition).where(JourneyTransition.member_id == member.id)).all()


def _seed_meetings(scope: Tenant, coordinator: int | None, today: date) -> None:
    with tenant_context(scope.id, coordinator):
        past = do_plan_meeting(title="Ledenbijeenkomst: werk delen", day=today - timedelta(days=14),
                               start=time(19, 30), end=time(21, 0), location="Buurthuis De Wending",
                               agenda="1. Rondje: wat deed je deze maand\n2. Gezamenlijke inkoop van gereedschap", actor_id=coordinator)
        active = [m.id for m in db.session.scalars(select(Member).where(Member.stage.in_(ACTIVE_STAGES)))]
        statuses = {member_id: ("present" if i % 4 else "excused") for i, member_id in enumerate(active)}
        do_record_attendance(past, statuses, eligible=active, actor_id=coordinator)
        do_write_minutes(past, "Iedereen vertelde over zijn maand. Samira en Piotr zoeken uit of ze samen een bus kunnen kopen.",
                         actor_id=coordinator)
        do_plan_meeting(title="Workshop: de prijs van je werk", day=today + timedelta(days=6), start=time(10, 0),
                        end=time(12, 0), location="Scope, Voorstraat 10", agenda="Met een ondernemerscoach", actor_id=coordinator)
        do_plan_meeting(title="Ledenbijeenkomst", day=today + timedelta(days=20), start=time(19, 30), end=time(21, 0),
                        location="Buurthuis De Wending", agenda="Rondje delen; de gezamenlijke bus", actor_id=coordinator)


def _seed_referrals(tenants: dict[str, Tenant], today: date) -> None:
    """Two referrals from Delft to Scope: one accepted (now on its journey), one to decide."""
    delft, scope = tenants["gemeente-delft"], tenants["scope-delft"]
    client_manager = _user_id("klantmanager@delft.example.org")
    coordinator = _user_id("coordinator@scope-delft.example.org")
    with tenant_context(delft.id, client_manager):
        accepted = do_send_referral(
            resident_name="Ahmed Rahimi", resident_email="ahmed.rahimi@example.org", client_reference="DLF-2291",
            handover="Vertaler Dari–Nederlands met jaren ervaring; wil voor zichzelf werken. "
                     "Spreekt Nederlands op B1-niveau; zoekt klanten bij maatschappelijke organisaties.",
            target_tenant_id=scope.id, consent=True, share_contact=True, share_handover=True, actor_id=client_manager)
        do_send_referral(
            resident_name="Noor Hassan", resident_phone="06 12345678", client_reference="DLF-2307",
            handover="Bakt voor buren en de moskee; wil graag een kleine cateringonderneming beginnen.",
            target_tenant_id=scope.id, consent=True, share_contact=True, share_handover=True, actor_id=client_manager)
        link_key = accepted.link_key
    with tenant_context(scope.id, coordinator):
        incoming = db.session.scalar(select(IncomingReferral).where(IncomingReferral.link_key == link_key))
        do_accept_referral(incoming, actor_id=coordinator)


# Scope's own details as a supplier (invented, with valid check digits): invoices need them.
SCOPE_PROFILE = {"legal_form": "cooperatie_ua", "kvk_number": "12345678", "vat_number": "NL004495445B01",
                 "iban": "NL91ABNA0417164300", "street": "Voorstraat 10", "postal_code": "2611 JR", "city": "Delft",
                 "other_municipalities": []}
DELFT_TERMS = Terms(cooperative_share_kind="percentage", cooperative_share_bp=1000, training_pot_bp=200,
                    municipality_share_bp=2500, municipality_threshold=Money(50000),
                    pot_categories=("tools", "materials", "training"), pot_on_leaving="spend_on_business",
                    exempt_from_job_applications=True, exempt_from_reintegration=True,
                    coordination_hours_per_month=Decimal("16"), housing_contribution=Money(25000))
# What each member's pot held when Scope moved its books to Koepel (cents).
OPENING_POTS = {"Kees van Dijk": 42_500, "Samira Benali": 31_000, "Piotr Nowak": 18_750, "Ayşe Yılmaz": 6_000}
# A small PNG (1x1 pixel): the invoice a member attaches to a request.
RECEIPT_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _seed_money(tenants: dict[str, Tenant], today: date) -> None:
    """Scope's agreement with Delft, its opening balances, a customer with an invoice for
    Kees, and Kees asking to spend from his pot."""
    scope, delft = tenants["scope-delft"], tenants["gemeente-delft"]
    coordinator = _user_id("coordinator@scope-delft.example.org")
    treasurer = _user_id("penningmeester@scope-delft.example.org")
    advisor = _user_id("beleid@delft.example.org")
    started = today - timedelta(days=400)
    with tenant_context(scope.id, coordinator):
        db.session.add(TenantProfile(**SCOPE_PROFILE, municipality_ids=[delft.id]))
        proposal = do_propose_agreement(partner_tenant_id=delft.id, terms=DELFT_TERMS, valid_from=started,
                                        actor_id=coordinator, today=started)
        link_key = db.session.get(Agreement, (scope.id, proposal.agreement_id)).link_key
        members = _members_by_name()
        for member in members.values():
            do_update_member(member, benefit_municipality_id=delft.id, actor_id=coordinator)
    with tenant_context(delft.id, advisor):
        agreement = db.session.scalar(select(Agreement).where(Agreement.link_key == link_key))
        version = db.session.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.id))
        do_accept_version(version, actor_id=advisor, today=started)
    with tenant_context(scope.id, treasurer):
        members = _members_by_name()
        for name, cents in OPENING_POTS.items():
            do_post(lines=[Line(account("bank"), Money(cents)),
                           Line(account("member_pot", member_id=members[name].id), Money(-cents))],
                    on_date=started, kind="opening", description=f"Opening balance of the pot of {name}",
                    idempotency_key=f"demo:opening:{members[name].id}", actor_id=treasurer)
        customer = do_create_customer(name="Studentenvereniging De Veste", street="Oude Delft 50",
                                      postal_code="2611 CD", city="Delft", email="penningmeester@deveste.example.org",
                                      is_business=True, actor_id=treasurer)
        customer_id = customer.id
    _seed_last_month(scope, delft, customer_id=customer_id, treasurer=treasurer, advisor=advisor, today=today)
    with tenant_context(scope.id, treasurer):
        members = _members_by_name()
        kees = members["Kees van Dijk"]
        invoice = do_create_draft(member_id=kees.id, customer_id=customer_id, delivery_date=today - timedelta(days=5),
                                  lines=[LineInput("Reparatiedag: lekke banden en remmen", 800, Money(1250), 2100),
                                         LineInput("Remblokken", 400, Money(650), 2100)], actor_id=treasurer)
        do_issue(invoice, today=today - timedelta(days=3), actor_id=treasurer)
        do_enqueue(DELIVER_JOB, invoice.id, False)  # its PDF, made by the worker; no mail for history
        do_create_draft(member_id=kees.id, customer_id=customer_id, delivery_date=today,
                        lines=[LineInput("Onderhoudsbeurt fietsen", 300, Money(2500), 2100)], actor_id=treasurer)
    with tenant_context(scope.id, _user_id("lid@scope-delft.example.org")):
        kees = _members_by_name()["Kees van Dijk"]
        tools = do_request(kees, amount=Money(8995), category="tools", description="Een centreerstandaard voor wielen",
                           supplier_name="Fietsgroothandel Delft", supplier_iban="NL20INGB0001234567",
                           attachment=RECEIPT_PNG, attachment_name="offerte.png", on_date=today - timedelta(days=2),
                           actor_id=kees.user_id)
        do_request(kees, amount=Money(4500), category="training", description="Cursus boekhouden voor zzp'ers",
                   supplier_name="Volksuniversiteit Delft", supplier_iban="NL69INGB0123456789",
                   attachment=RECEIPT_PNG, attachment_name="inschrijving.png", on_date=today, actor_id=kees.user_id)
    with tenant_context(scope.id, treasurer):
        do_approve(tools, actor_id=treasurer, on_date=today - timedelta(days=1))


# Last month's work: (member, description, hours, hourly rate in cents, day of the month paid).
LAST_MONTH_WORK = (
    ("Kees van Dijk", "Fietsen gerepareerd", 24, 2500, 8),
    ("Kees van Dijk", "Fietsen gerepareerd", 16, 2500, 22),
    ("Samira Benali", "Catering ledenavond", 12, 3000, 15),
    ("Piotr Nowak", "Klusdagen", 10, 2750, 19),
)


def _statement(entries: list[tuple[int, date, str, str]], statement_id: str) -> bytes:
    """A CAMT.053 statement of Scope's account: (cents, day, text, reference) per entry."""
    body = "".join(
        f"<Ntry><NtryRef>{ref}</NtryRef><Amt Ccy=\"EUR\">{cents // 100}.{cents % 100:02d}</Amt>"
        f"<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>"
        f"<AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"<RltdPties><Dbtr><Nm>Studentenvereniging De Veste</Nm></Dbtr></RltdPties>"
        f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for cents, day, text, ref in entries)
    first, last = min(e[1] for e in entries), max(e[1] for e in entries)
    return (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
            f"camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>{statement_id}</MsgId></GrpHdr><Stmt>"
            f"<Id>{statement_id}</Id><FrToDt><FrDtTm>{first.isoformat()}T00:00:00</FrDtTm>"
            f"<ToDtTm>{last.isoformat()}T23:59:59</ToDtTm></FrToDt><Acct><Id><IBAN>{SCOPE_PROFILE['iban']}</IBAN>"
            f"</Id></Acct>{body}</Stmt></BkToCstmrStmt></Document>").encode()


def _seed_last_month(scope: Tenant, delft: Tenant, *, customer_id: int, treasurer: int | None,
                     advisor: int | None, today: date) -> None:
    """Invoices of last month paid by a bank statement (matched and split), the month
    closed by the treasurer and its settlement processed by Delft; Delft's claim is left
    for the demo."""
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    with tenant_context(scope.id, treasurer):
        members = _members_by_name()
        paid = []
        for name, description, hours, rate, day in LAST_MONTH_WORK:
            on = month.replace(day=day)
            draft = do_create_draft(member_id=members[name].id, customer_id=customer_id, delivery_date=on,
                                    lines=[LineInput(description, hours * 100, Money(rate), 2100)],
                                    actor_id=treasurer, today=on)
            invoice = do_issue(draft, today=on, actor_id=treasurer)
            paid.append((invoice.total_cents, on + timedelta(days=3), f"Factuur {invoice.number}",
                         f"DEMO-{invoice.number}"))
        statement = _statement(paid, f"DEMO-{month:%Y-%m}")
        do_import(file_name=f"afschrift-{month:%Y-%m}.xml", data=statement, actor_id=treasurer)
        do_close_month(month, actor_id=treasurer, today=today)
        settlement_id = db.session.scalar(select(Settlement.id).where(Settlement.month == month))
    with tenant_context(delft.id, advisor):
        do_process(db.session.get(Settlement, (delft.id, settlement_id)), actor_id=advisor)
