"""Years of history for a federation: cooperatives with their members' journeys, ladder
measurements, monthly earnings settled with their municipalities, and an employer
cooperative's placements. Used by the demo (`seed_demo`) and, at a larger scale, by the
benchmark (`seed_history(cooperatives=250, members=25_000, years=5)`).

Everything follows from one seeded `random.Random`: the same arguments give the same
federation. Dates end at `today`.

Tenants and agreements are made with the real operations (few rows, and their rules
matter). The bulk of the history (members, journeys, measurements, settlements, journal
entries, placements) is written with multi-row inserts, because the operations take a
lock and a query per step and would need many minutes for five years. The inserts keep
the rules the operations keep, by construction:
- a journey is simulated on the journey's own state machine (`check_transition` is
  asked for every step), and the member row is the journey's last step;
- each member-month's earnings are split by the agreement's own `Terms.split`;
- one journal entry per cooperative and month books those splits: Dr bank the month's
  earnings, Cr the cooperative, the training pot, what is owed to each municipality and
  each member's pot — the credits are the split's parts, so the entry balances (and the
  database checks it again at commit);
- a settlement's figures are the sums of its lines, computed from the same rows, on both
  sides with the same ids; what is owed is the municipality's shares; a settled month
  has its payment booked (Dr owed to the municipality / Cr bank) for exactly that amount;
- the income disregard follows the parameters valid at the month's end and counts the
  consecutive months the way `koepel.tenants.settlements.disregard` does;
- entries are written before their months are closed, as the books require.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, text

from koepel.platform.dates import add_months
from koepel.platform.db import db
from koepel.platform.money import Money
from koepel.platform.parameters import money_on, rate_on, value_on
from koepel.platform.reference import ReferenceMunicipality
from koepel.platform.tenancy import Tenant, tenant_context
from koepel.platform.tenancy.models import TenantProfile
from koepel.platform.tenancy.operations import do_create_tenant, slugify
from koepel.tenants.agreements import (
    Agreement,
    AgreementVersion,
    Terms,
    do_accept_version,
    do_propose_agreement,
)
from koepel.tenants.ladder.models import Measurement
from koepel.tenants.ledger import ClosedMonth, JournalEntry, JournalLine, LedgerAccount
from koepel.tenants.members import Business, JourneyTransition, Member
from koepel.tenants.members.journey import check_transition
from koepel.tenants.placements.models import Employer, Participant, Placement
from koepel.tenants.referrals.models import IncomingReferral, Referral
from koepel.tenants.settlements.models import SHARE_COLUMNS, Settlement, SettlementLine

# The demo's cooperatives with history: (town by its CBS name, the cooperative's name).
DEMO_COOPERATIVES = (
    ("Amersfoort", "Sociale Coöperatie Amersfoort"), ("Utrecht", "Coöperatie De Werkplaats Utrecht"),
    ("Groningen", "Stadjers Onderneemt"), ("Nijmegen", "Sociale Coöperatie Wijkwerk Nijmegen"),
    ("Arnhem", "Coöperatie Samen Ondernemen Arnhem"), ("Tilburg", "Sociale Coöperatie Tilburg"),
    ("Eindhoven", "Ondernemerscoöperatie Eindhoven"), ("Leeuwarden", "Sociale Coöperatie Leeuwarden"),
    ("Zwolle", "Zwolle Onderneemt"), ("Deventer", "Coöperatie De Werkplaats Deventer"),
    ("Enschede", "Sociale Coöperatie Enschede"), ("Haarlem", "Coöperatie Samen Ondernemen Haarlem"),
    ("Leiden", "Sociale Coöperatie Wijkwerk Leiden"), ("Dordrecht", "Dordt Onderneemt"),
    ("Gouda", "Sociale Coöperatie Gouda"), ("Maastricht", "Ondernemerscoöperatie Maastricht"),
    ("Almere", "Coöperatie De Werkplaats Almere"), ("Apeldoorn", "Sociale Coöperatie Apeldoorn"),
    ("Schiedam", "Schiedam Onderneemt"), ("Venlo", "Sociale Coöperatie Venlo"),
    ("Alkmaar", "Coöperatie Samen Ondernemen Alkmaar"),
)
# The demo's second employer cooperative and the municipalities its participants come from.
DEMO_EMPLOYER = ("Werkgeverscoöperatie Regio Twente", ("Enschede", "Almelo", "Oldenzaal"))


def demo_tenants() -> list[tuple[str, str, str]]:
    """(kind, slug, name) of every tenant `seed_history` makes for the demo."""
    towns = dict.fromkeys([town for town, _ in DEMO_COOPERATIVES] + list(DEMO_EMPLOYER[1]))
    return ([("cooperative", slugify(name), name) for _, name in DEMO_COOPERATIVES]
            + [("employer_cooperative", slugify(DEMO_EMPLOYER[0]), DEMO_EMPLOYER[0])]
            + [("municipality", slugify(f"gemeente {town}"), f"Gemeente {town}") for town in towns])


NAME_PATTERNS = (
    "Sociale Coöperatie {town}", "Coöperatie Samen Ondernemen {town}", "{town} Onderneemt",
    "Coöperatie De Werkplaats {town}", "Sociale Coöperatie Wijkwerk {town}", "Ondernemerscoöperatie {town}",
)
EMPLOYER_PATTERN = "Werkgeverscoöperatie Regio {town}"
DISTRICTS = ("Noord", "Zuid", "Oost", "West", "Centrum")

FIRST_NAMES = (
    "Anna", "Bram", "Chantal", "Dirk", "Esra", "Fleur", "Gijs", "Hatice", "Ilse", "Jeroen", "Karim", "Lieke",
    "Mehmet", "Nina", "Omar", "Petra", "Quinten", "Rachida", "Sanne", "Tim", "Usha", "Vera", "Wouter", "Yasmina",
    "Zeynep", "Ahmed", "Berna", "Coen", "Demi", "Erik", "Farida", "Gerda", "Hamza", "Ingrid", "Joyce", "Kofi",
    "Linda", "Marco", "Nadia", "Olga", "Priya", "Ronald", "Sevda", "Tamara", "Vincent", "Wendy", "Yusuf", "Maria",
    "Tomasz", "Oksana", "Abel", "Senait",
)
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "Kok", "Jacobs", "Yilmaz", "El Idrissi", "Kaya",
    "Bouali", "Demir", "Ramdin", "Nowak", "Kowalski", "Tesfaye", "Haile", "Kovalenko", "Sardjoe", "Öztürk",
)
TRADES = (
    ("Fietsreparaties", "Fietsherstel {name}"), ("Kleding naaien en herstellen", "Naaiatelier {name}"),
    ("Tuinonderhoud", "Groen door {name}"), ("Catering en maaltijden", "Keuken van {name}"),
    ("Klussen in en om het huis", "Klusservice {name}"), ("Schoonmaak", "Schoon met {name}"),
    ("Fotografie", "Foto {name}"), ("Kapper aan huis", "Kapsalon {name}"), ("Houtbewerking en meubels", "Houtwerk {name}"),
    ("Grafisch ontwerp", "Ontwerp {name}"), ("Computerhulp", "PC-hulp {name}"), ("Sieraden maken", "Sieraden {name}"),
    ("Bijles en taalles", "Leren met {name}"), ("Verhuizen en koerierswerk", "Koerier {name}"),
    ("Hondenuitlaatservice", "Uitlaatservice {name}"), ("Kringloop en opknappen", "Tweede Leven {name}"),
)
EMPLOYER_NAMES = (
    "Installatiebedrijf {town}", "Bouwbedrijf Twentse Poort", "Schoonmaakbedrijf Glans", "Zorggroep De Linde",
    "Groenvoorziening Het Esmarke", "Transportbedrijf Oosterveld", "Supermarkt Buurtwinkel", "Drukkerij De Pers",
    "Gemeente {town}", "Metaalbewerking Stork-Oost", "Hotel De Klomp", "Fietsenfabriek Twente",
    "Wasserij Blinkend", "Kringloopwinkel {town}", "Horecagroep De Markt",
)

STOP_REASON_TEXT = {
    "own_choice": "Wil het zelf anders aanpakken", "health": "Stopt voorlopig om gezondheidsredenen",
    "moved": "Verhuisd naar een andere gemeente", "no_fit": "De coöperatie past niet bij wat hij of zij zoekt",
    "other": "Andere omstandigheden",
}
OUTFLOW_TEXT = {
    "regular_job": "In dienst bij een werkgever", "own_business": "Eigen bedrijf ingeschreven bij de KvK",
    "other_independence": "Niet meer afhankelijk van een uitkering",
}

# Journey rates (DOMAIN.md "The people and the model", "Outcomes and peer comparison").
TRIAL_MONTHS = 3
STOP_BEFORE = {"referred": 0.08, "intake": 0.08, "business_plan": 0.06, "trial": 0.10}
MONTHLY_OUTFLOW = 0.015   # a fifth to a quarter of members leave benefits within a few years
MONTHLY_STOP = 0.010
OUTFLOW_WEIGHTS = {"regular_job": 45, "own_business": 35, "other_independence": 20}
STOP_WEIGHTS = {"own_choice": 30, "health": 30, "moved": 15, "no_fit": 15, "other": 10}
RETURN_WITHIN_6, RETURN_WITHIN_12 = 0.15, 0.22  # of those leaving bijstand (DOMAIN.md)


@dataclass
class Person:
    name: str
    born: date
    municipality_id: int
    municipality_name: str
    referred: bool
    household: str = "single"  # the bijstand norm the saving on benefits is estimated with
    steps: list = field(default_factory=list)  # (from, to, outcome, on, reason)
    rungs: list = field(default_factory=list)  # (on, rung)
    trade: tuple[str, str] | None = None
    level: int = 0  # typical monthly earnings in cents
    earnings: dict = field(default_factory=dict)  # month -> cents earned
    client_reference: str = ""
    periods: list = field(default_factory=list)  # active_between(), once the journey is known

    @property
    def stage(self) -> str:
        return self.steps[-1][1]

    def active_between(self) -> list[tuple[date, date | None]]:
        """The periods the person took part (intake to outflow or stop), None = still."""
        periods, start = [], None
        for _from, to, _outcome, on, _reason in self.steps:
            if to in ("referred", "intake") and start is None:
                start = on
            elif to in ("outflow", "stopped") and start is not None:
                periods.append((start, on))
                start = None
        if start is not None:
            periods.append((start, None))
        return periods


@dataclass
class HistoryResult:
    cooperatives: list[int] = field(default_factory=list)
    employer_cooperatives: list[int] = field(default_factory=list)
    municipalities: list[int] = field(default_factory=list)
    members: int = 0
    transitions: int = 0
    measurements: int = 0
    settlements: int = 0
    settlement_lines: int = 0
    journal_entries: int = 0
    placements: int = 0
    seconds: float = 0.0


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- valid identifiers with their check digits ----------------------------------------------------


def kvk_number(rng: random.Random) -> str:
    return f"{rng.randrange(10_000_000, 100_000_000)}"


def vat_number(rng: random.Random) -> str:
    """NL + 9 digits passing the eleven test + B01 (python-stdnum's nl.btw accepts it)."""
    while True:
        digits = [rng.randrange(10) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "NL" + "".join(map(str, digits)) + str(check) + "B01"


def iban(rng: random.Random, bank: str = "RABO") -> str:
    """A Dutch IBAN whose account number passes the eleven test, with its mod-97 check digits."""
    while True:
        account_digits = [rng.randrange(10) for _ in range(10)]
        if account_digits[0] and sum(d * w for d, w in zip(account_digits, range(10, 0, -1), strict=True)) % 11 == 0:
            break
    bban = bank + "".join(map(str, account_digits))
    numeric = "".join(str(int(c, 36)) for c in bban + "NL00")
    return f"NL{98 - int(numeric) % 97:02d}{bban}"


def postal_code(rng: random.Random) -> str:
    return f"{rng.randrange(1000, 9999)} {rng.choice('ABCEGHJKLMNPRSTVWXZ')}{rng.choice('ABCEGHJKLMNPRSTVWXZ')}"


# --- the journey ----------------------------------------------------------------------------------


def _step(person: Person, to: str, on: date, today: date, outcome: str | None = None, reason: str = "") -> bool:
    """Add a step when it lies on or before today (and is allowed); False when it does not."""
    if on > today:
        return False
    current = person.steps[-1][1] if person.steps else None
    last = person.steps[-1][3] if person.steps else None
    check_transition(current, to, on_date=on, last_date=last, today=today, reason=reason, outcome=outcome)
    person.steps.append((current, to, outcome, on, reason))
    return True


def simulate_journey(rng: random.Random, person: Person, start: date, today: date) -> None:
    """Referral or intake, business plan, three months' trial, membership; outflow or stop;
    sometimes a return after outflow (15% within 6 months, 22% within a year)."""
    first = "referred" if person.referred else "intake"
    _step(person, first, start, today, reason="Verwezen door de klantmanager" if person.referred else "")
    on = start
    while True:
        stage = person.stage
        if stage in ("referred", "intake", "business_plan", "trial"):
            if stage == "trial":
                on = add_months(on, TRIAL_MONTHS) + timedelta(days=rng.randrange(0, 10))
            else:
                on = on + timedelta(days={"referred": rng.randrange(7, 35), "intake": rng.randrange(14, 50),
                                          "business_plan": rng.randrange(21, 80)}[stage])
            if rng.random() < STOP_BEFORE[stage]:
                stop_on = on - timedelta(days=rng.randrange(0, 20))
                stop_on = max(stop_on, person.steps[-1][3])
                why = _weighted(rng, STOP_WEIGHTS)
                if not _step(person, "stopped", stop_on, today, outcome=why, reason=STOP_REASON_TEXT[why]):
                    return
                continue
            following = {"referred": "intake", "intake": "business_plan", "business_plan": "trial",
                         "trial": "member"}[stage]
            if not _step(person, following, on, today):
                return
            if following == "business_plan" and person.trade is None:
                person.trade = rng.choice(TRADES)
        elif stage == "member":
            months = 1
            while True:
                day = add_months(on, months)
                if day > today:
                    return
                roll = rng.random()
                if roll < MONTHLY_OUTFLOW:
                    kind = _weighted(rng, OUTFLOW_WEIGHTS)
                    _step(person, "outflow", day, today, outcome=kind, reason=OUTFLOW_TEXT[kind])
                    on = day
                    break
                if roll < MONTHLY_OUTFLOW + MONTHLY_STOP:
                    why = _weighted(rng, STOP_WEIGHTS)
                    _step(person, "stopped", day, today, outcome=why, reason=STOP_REASON_TEXT[why])
                    on = day
                    break
                months += 1
        elif stage == "outflow":
            roll = rng.random()
            if roll < RETURN_WITHIN_6:
                back = on + timedelta(days=rng.randrange(20, 182))
            elif roll < RETURN_WITHIN_12:
                back = on + timedelta(days=rng.randrange(183, 365))
            else:
                return
            if not _step(person, "intake", back, today, reason="Terug na uitstroom"):
                return
            on = back
        else:  # stopped: the journey ends here
            return


def simulate_ladder(rng: random.Random, person: Person, today: date) -> None:
    """A measurement at intake and about every six months while taking part, mostly up."""
    rung = rng.choices((1, 2, 3, 4), weights=(15, 40, 35, 10))[0]
    for start, end in person.periods:
        on = start + timedelta(days=rng.randrange(0, 14))
        last = end or today
        while on <= last:
            person.rungs.append((on, rung))
            move = rng.random()
            rung = min(5, rung + 1) if move < 0.35 else max(1, rung - 1) if move > 0.92 else rung
            on += timedelta(days=rng.randrange(170, 195))
        if end is not None:
            outcome = next(s[2] for s in person.steps if s[1] == "outflow" and s[3] == end) \
                if any(s[1] == "outflow" and s[3] == end for s in person.steps) else None
            if outcome in ("regular_job", "own_business") and end <= today:
                person.rungs.append((end, 6))  # paid work without support (self-employed counts)
                rung = 5


def simulate_earnings(rng: random.Random, person: Person, last_month: date) -> None:
    """Earnings per month from the trial on: tens to a few hundred euros, a few higher."""
    if person.trade is None:
        return
    person.level = int(rng.lognormvariate(9.45, 0.75))  # median about 127 euros
    trading_from = None
    for _from, to, _outcome, on, _reason in person.steps:
        if to == "trial":
            trading_from = _first_of_month(on)
        elif to in ("outflow", "stopped") and trading_from is not None:
            _earn(rng, person, trading_from, _first_of_month(on), last_month)
            trading_from = None
    if trading_from is not None:
        _earn(rng, person, trading_from, last_month, last_month)


def _earn(rng: random.Random, person: Person, first: date, until: date, last_month: date) -> None:
    month, tenure = first, 0
    while month <= min(until, last_month):
        if rng.random() > 0.22:  # some months bring no paid work
            growth = 1 + min(tenure, 24) * 0.02
            person.earnings[month] = max(500, int(person.level * growth * rng.uniform(0.5, 1.5)) // 100 * 100)
        month, tenure = add_months(month, 1), tenure + 1


# --- tenants and agreements -----------------------------------------------------------------------


def _municipality_tenant(reference: ReferenceMunicipality, known: dict[str, Tenant]) -> Tenant:
    tenant = known.get(reference.cbs_code) or db.session.scalar(
        select(Tenant).where(Tenant.cbs_code == reference.cbs_code))
    if tenant is None:
        slug = _free_slug(slugify(f"gemeente {reference.name}"))
        tenant = do_create_tenant(kind="municipality", slug=slug, name=f"Gemeente {reference.name}", status="active")
        tenant.cbs_code = reference.cbs_code
    known[reference.cbs_code] = tenant
    return tenant


def _free_slug(base: str) -> str:
    slug, number = base, 2
    while db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _free_name(rng: random.Random, pattern: str, town: str) -> str:
    name = pattern.format(town=town)
    districts = list(DISTRICTS)
    rng.shuffle(districts)
    while db.session.scalar(select(Tenant.id).where(Tenant.name == name)) is not None:
        name = pattern.format(town=f"{town}-{districts.pop()}") if districts else f"{name} II"
    return name


def random_terms(rng: random.Random) -> Terms:
    income = rng.choices(("pot", "net", "none"), weights=(40, 40, 20))[0]
    return Terms(cooperative_share_kind="percentage", cooperative_share_bp=rng.choice((500, 750, 1000, 1500)),
                 training_pot_bp=rng.choice((0, 0, 200, 500)), municipality_share_bp=rng.choice((0, 1500, 2500, 3000)),
                 municipality_threshold=Money(rng.choice((0, 25_000, 50_000))),
                 pot_categories=("tools", "materials", "training"), pot_on_leaving="spend_on_business",
                 income_for_benefit=income, exempt_from_job_applications=True, exempt_from_reintegration=True,
                 coordination_hours_per_month=Decimal(rng.choice((8, 12, 16, 24))),
                 housing_contribution=Money(rng.choice((0, 15_000, 25_000, 40_000))))


def _agree(cooperative: Tenant, municipality: Tenant, terms: Terms, valid_from: date) -> tuple[int, Terms]:
    """An agreement proposed by the cooperative and accepted by the municipality, both on
    `valid_from`; its id and the terms as stored."""
    with tenant_context(cooperative.id):
        proposal = do_propose_agreement(partner_tenant_id=municipality.id, terms=terms, valid_from=valid_from,
                                        actor_id=None, today=valid_from)
        agreement_id = proposal.agreement_id
        link_key = db.session.get(Agreement, (cooperative.id, agreement_id)).link_key
    with tenant_context(municipality.id):
        agreement = db.session.scalar(select(Agreement).where(Agreement.link_key == link_key))
        version = db.session.scalar(select(AgreementVersion).where(AgreementVersion.agreement_id == agreement.id))
        do_accept_version(version, actor_id=None, today=valid_from)
    return agreement_id, terms


# --- writing rows ---------------------------------------------------------------------------------


def _insert(model, rows: list[dict], *, returning: bool = False) -> list[int]:
    if not rows:
        return []
    table = model.__table__
    if returning:
        result = db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return [row[0] for row in result]
    db.session.execute(insert(table), rows)
    return []


class _Disregards:
    """The parameters of the income disregard per month, read once."""

    def __init__(self):
        self._by_month: dict[date, tuple] = {}

    def on(self, month: date) -> tuple:
        if month not in self._by_month:
            day = _month_end(month)
            self._by_month[month] = (
                rate_on("vrijlating.general.percentage", day), money_on("vrijlating.general.max_monthly", day).cents,
                value_on("vrijlating.general.min_age", day), value_on("vrijlating.general.max_months", day),
                rate_on("vrijlating.single_parent.percentage", day),
                money_on("vrijlating.single_parent.max_monthly", day).cents,
                rate_on("vrijlating.medical.percentage", day), money_on("vrijlating.medical.max_monthly", day).cents,
            )
        return self._by_month[month]


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _takes_part(person: Person, month: date) -> bool:
    """Active some time in the month (like the close: active, or left during it)."""
    end = _month_end(month)
    return any(start <= end and (left is None or left >= month) for start, left in person.periods)


@dataclass
class _Cooperative:
    tenant: Tenant
    founded: date
    agreements: dict[int, tuple[int, Terms, str]]  # municipality id -> (agreement id, terms, name)
    municipality_ibans: dict[int, str]
    starts: dict[int, date] = field(default_factory=dict)  # municipality id -> agreement valid from
    people: list[Person] = field(default_factory=list)


def _write_cooperative(rng: random.Random, coop: _Cooperative, today: date, disregards: _Disregards,
                       result: HistoryResult) -> None:
    tenant_id, last_month = coop.tenant.id, add_months(_first_of_month(today), -1)
    people = coop.people
    created = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    with tenant_context(tenant_id):
        member_ids = _insert(Member, [{
            "tenant_id": tenant_id, "name": p.name, "date_of_birth": p.born, "municipality": p.municipality_name,
            "benefit_municipality_id": p.municipality_id, "household": p.household, "language": "nl",
            "referral_source": "municipality" if p.referred else "self", "stage": p.stage,
            "stage_since": p.steps[-1][3], "outcome": p.steps[-1][2], "created_at": created,
            "trial_ends_on": add_months(p.steps[-1][3], TRIAL_MONTHS) if p.stage == "trial" else None,
        } for p in people], returning=True)
        ids = dict(zip(map(id, people), member_ids, strict=True))
        _insert(Business, [{"tenant_id": tenant_id, "member_id": ids[id(p)], "trade_name": p.trade[1].format(
            name=p.name.split()[0]), "activity": p.trade[0], "description": ""} for p in people if p.trade])
        _insert(JourneyTransition, [{
            "tenant_id": tenant_id, "member_id": ids[id(p)], "from_stage": f, "to_stage": t, "outcome": o,
            "on_date": on, "reason": why, "created_at": created,
        } for p in people for f, t, o, on, why in p.steps])
        _insert(Measurement, [{"tenant_id": tenant_id, "member_id": ids[id(p)], "rung": rung, "measured_on": on,
                               "note": "", "created_at": created} for p in people for on, rung in p.rungs])
        result.members += len(people)
        result.transitions += sum(len(p.steps) for p in people)
        result.measurements += sum(len(p.rungs) for p in people)
        links = _write_incoming_referrals(rng, coop, people, ids, today)
        months = []
        month = _first_of_month(coop.founded)
        while month <= last_month:
            months.append(month)
            month = add_months(month, 1)
        settlements = _plan_settlements(coop, people, ids, months, disregards)
        accounts = _write_accounts(tenant_id, coop, people, ids)
        _write_month_entries(tenant_id, coop, people, ids, months, accounts, result)
        settled = _write_settlement_payments(rng, tenant_id, settlements, accounts, last_month, today, result)
        copies = _write_settlements(rng, tenant_id, coop, settlements, settled, last_month, created,
                                    {ids[id(p)]: p for p in people}, result)
        _insert(ClosedMonth, [{"tenant_id": tenant_id, "month": m, "closed_at": created} for m in months])
    for municipality_id, rows in copies.items():
        with tenant_context(municipality_id):
            _insert(Settlement, rows["settlements"])
            _insert(SettlementLine, rows["lines"])
    _write_referrals(coop, links, today)


def _write_incoming_referrals(rng: random.Random, coop: _Cooperative, people: list[Person], ids: dict,
                              today: date) -> list[dict]:
    """The cooperative's side of the referrals (accepted, one per referred journey, plus a
    few still waiting or declined); returns what the municipality's side needs."""
    tenant_id, links = coop.tenant.id, []
    rows = []
    for person in people:
        if not person.referred:
            continue
        link = {"link_key": f"{rng.getrandbits(128):032x}", "person": person, "member_id": ids[id(person)],
                "municipality_id": person.municipality_id, "status": "accepted", "sent": person.steps[0][3]}
        links.append(link)
    for municipality_id, (_agreement, _terms, name) in coop.agreements.items():
        for status in rng.choices(("sent", "declined"), weights=(3, 1), k=rng.randrange(0, 3)):
            person = Person(name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                            born=date(rng.randrange(1965, 2000), rng.randrange(1, 13), rng.randrange(1, 29)),
                            municipality_id=municipality_id, municipality_name=name, referred=True)
            links.append({"link_key": f"{rng.getrandbits(128):032x}", "person": person, "member_id": None,
                          "municipality_id": municipality_id, "status": status,
                          "sent": today - timedelta(days=rng.randrange(1, 20))})
    names = {m: name for m, (_a, _t, name) in coop.agreements.items()}
    for number, link in enumerate(links, start=1):
        # The municipality's own file number of the resident (its side only).
        link["person"].client_reference = f"KM-{tenant_id}-{number:05d}"
        person, sent = link["person"], link["sent"]
        status = {"sent": "pending"}.get(link["status"], link["status"])
        rows.append({
            "tenant_id": tenant_id, "link_key": link["link_key"], "from_tenant_id": link["municipality_id"],
            "from_name": _gemeente(names, link["municipality_id"]), "name": person.name, "shared_handover": True,
            "handover": "Wil graag iets voor zichzelf beginnen en zoekt structuur.", "status": status,
            "member_id": link["member_id"],
            "decline_reason": "Wij hebben nu geen plek; probeer het over drie maanden opnieuw."
            if status == "declined" else None,
            "received_at": _moment(sent), "decided_at": _moment(sent) if status != "pending" else None,
        })
    _insert(IncomingReferral, rows)
    return links


def _gemeente(names: dict[int, str], municipality_id: int) -> str:
    return f"Gemeente {names[municipality_id]}"


def _moment(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)


def _write_referrals(coop: _Cooperative, links: list[dict], today: date) -> None:
    """The municipality's side: what it sent, and the stage the cooperative mirrored back."""
    by_municipality = defaultdict(list)
    for link in links:
        by_municipality[link["municipality_id"]].append(link)
    for municipality_id, group in by_municipality.items():
        with tenant_context(municipality_id):
            rows = []
            for link in group:
                person, accepted = link["person"], link["status"] == "accepted"
                rows.append({
                    "tenant_id": municipality_id, "link_key": link["link_key"],
                    "idempotency_key": link["link_key"][:32], "resident_name": person.name,
                    "resident_date_of_birth": person.born, "client_reference": person.client_reference,
                    "consent_recorded_at": _moment(link["sent"]), "share_date_of_birth": True,
                    "share_handover": True, "handover": "Wil graag iets voor zichzelf beginnen en zoekt structuur.",
                    "target_tenant_id": coop.tenant.id, "status": link["status"],
                    "stage": person.stage if accepted else None, "outcome": person.steps[-1][2] if accepted else None,
                    "stage_on": person.steps[-1][3] if accepted else None,
                    "decline_reason": "Wij hebben nu geen plek; probeer het over drie maanden opnieuw."
                    if link["status"] == "declined" else None,
                    "created_at": _moment(link["sent"]), "updated_at": _moment(today),
                    "decided_at": _moment(link["sent"]) if link["status"] != "sent" else None,
                })
            _insert(Referral, rows)


def _plan_settlements(coop: _Cooperative, people: list[Person], ids: dict, months: list[date],
                      disregards: _Disregards) -> dict[tuple[int, date], list[dict]]:
    """Per (municipality, month): the settlement's lines, from the same numbers the books get."""
    planned: dict[tuple[int, date], list[dict]] = {}
    general_run: dict[int, int] = {}  # member -> consecutive months with the general disregard
    for month in months:
        (g_rate, g_cap, min_age, max_months, sp_rate, sp_cap, med_rate, med_cap) = disregards.on(month)
        for municipality_id, (_agreement_id, terms, _name) in coop.agreements.items():
            lines = []
            for person in people:
                if person.municipality_id != municipality_id or not _takes_part(person, month):
                    continue
                member_id = ids[id(person)]
                earned = person.earnings.get(month, 0)
                shares = terms.split(Money(earned), Money(0))
                income = {"none": 0, "pot": shares.pot.cents, "net": earned}[terms.income_for_benefit]
                general, general_month, note = 0, None, None
                single_parent = min(income * sp_rate // 10_000, sp_cap)
                medical = min(income * med_rate // 10_000, med_cap)
                if income <= 0:
                    note, single_parent, medical = "no_income", 0, 0
                elif _age_on(person.born, _month_end(month)) < min_age:
                    note = "under_age"
                else:
                    number = general_run.get(member_id, 0) + 1
                    if number > max_months:
                        note = "period_over"
                    else:
                        general, general_month = min(income * g_rate // 10_000, g_cap), number
                general_run[member_id] = general_month if general > 0 else 0
                lines.append({
                    "member_id": member_id, "member_name": person.name, "earned_cents": earned, "late_cents": 0,
                    "late_months": "", "cooperative_cents": shares.cooperative.cents, "flat_fee_cents": 0,
                    "training_cents": shares.training_pot.cents, "municipality_cents": shares.municipality.cents,
                    "pot_cents": shares.pot.cents, "income_basis": terms.income_for_benefit, "income_cents": income,
                    "disregard_general_cents": general, "general_month": general_month, "general_note": note,
                    "disregard_single_parent_cents": single_parent, "disregard_medical_cents": medical,
                })
            if month >= _first_of_month(coop.starts[municipality_id]):
                planned[(municipality_id, month)] = sorted(lines, key=lambda r: (r["member_name"].lower(),
                                                                                  r["member_id"]))
    return planned


def _write_accounts(tenant_id: int, coop: _Cooperative, people: list[Person], ids: dict) -> dict[str, int]:
    rows = [{"tenant_id": tenant_id, "kind": kind, "key": kind} for kind in ("bank", "cooperative", "training_pot")]
    rows += [{"tenant_id": tenant_id, "kind": "municipality_owed", "key": f"municipality_owed:{m}",
              "partner_tenant_id": m} for m in coop.agreements]
    rows += [{"tenant_id": tenant_id, "kind": "member_pot", "key": f"member_pot:{ids[id(p)]}",
              "member_id": ids[id(p)]} for p in people if p.earnings]
    for row in rows:
        row.setdefault("member_id", None)
        row.setdefault("partner_tenant_id", None)
    return dict(zip((r["key"] for r in rows), _insert(LedgerAccount, rows, returning=True), strict=True))


def _write_month_entries(tenant_id: int, coop: _Cooperative, people: list[Person], ids: dict, months: list[date],
                         accounts: dict[str, int], result: HistoryResult) -> None:
    """One balanced entry per month: the month's payments as split by the agreement."""
    entries, lines_by_month = [], []
    for month in months:
        credits: dict[str, int] = defaultdict(int)
        for person in people:
            earned = person.earnings.get(month, 0)
            if not earned or not _takes_part(person, month):
                continue
            terms = coop.agreements[person.municipality_id][1]
            shares = terms.split(Money(earned), Money(0))
            credits["cooperative"] += shares.cooperative.cents
            credits["training_pot"] += shares.training_pot.cents
            credits[f"municipality_owed:{person.municipality_id}"] += shares.municipality.cents
            credits[f"member_pot:{ids[id(person)]}"] += shares.pot.cents
        total = sum(credits.values())
        if not total:
            continue
        entries.append({"tenant_id": tenant_id, "on_date": _month_end(month), "kind": "history",
                        "description": f"Omzet {month:%m-%Y} verdeeld (overgenomen historie)",
                        "idempotency_key": f"history:{month:%Y-%m}", "created_at": _moment(_month_end(month))})
        lines_by_month.append([(accounts["bank"], total)] + [(accounts[key], -cents)
                                                             for key, cents in credits.items() if cents])
    entry_ids = _insert(JournalEntry, entries, returning=True)
    _insert(JournalLine, [{"tenant_id": tenant_id, "entry_id": entry_id, "account_id": account_id,
                           "amount_cents": cents}
                          for entry_id, lines in zip(entry_ids, lines_by_month, strict=True)
                          for account_id, cents in lines])
    result.journal_entries += len(entries)


def _write_settlement_payments(rng: random.Random, tenant_id: int, settlements: dict, accounts: dict[str, int],
                               last_month: date, today: date, result: HistoryResult) -> dict:
    """What was owed for months before last month was claimed and paid: its entry."""
    paid, entries, lines = {}, [], []
    for (municipality_id, month), rows in settlements.items():
        owed = sum(r["municipality_cents"] for r in rows)
        if not owed or month >= last_month:
            continue
        on = min(_month_end(month) + timedelta(days=rng.randrange(14, 40)), today)
        paid[(municipality_id, month)] = on
        entries.append({"tenant_id": tenant_id, "on_date": on, "kind": "municipality_payment",
                        "description": f"Betaling afrekening {month:%m-%Y}",
                        "idempotency_key": f"history:settlement:{municipality_id}:{month:%Y-%m}:paid",
                        "created_at": _moment(on)})
        lines.append(((accounts[f"municipality_owed:{municipality_id}"], owed), (accounts["bank"], -owed)))
    entry_ids = _insert(JournalEntry, entries, returning=True)
    _insert(JournalLine, [{"tenant_id": tenant_id, "entry_id": entry_id, "account_id": account_id,
                           "amount_cents": cents}
                          for entry_id, pair in zip(entry_ids, lines, strict=True) for account_id, cents in pair])
    result.journal_entries += len(entries)
    return {key: (on, entry_id) for (key, on), entry_id in zip(paid.items(), entry_ids, strict=True)}


def _write_settlements(rng: random.Random, tenant_id: int, coop: _Cooperative, settlements: dict, settled: dict, last_month: date,
                       created: datetime, by_member: dict[int, Person], result: HistoryResult) -> dict[int, dict]:
    """The cooperative's copies; returns the municipalities' copies (same ids) to write."""
    heads, keys = [], []
    for (municipality_id, month), rows in sorted(settlements.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        agreement_id, _terms, name = coop.agreements[municipality_id]
        owed = sum(r["municipality_cents"] for r in rows)
        paid = settled.get((municipality_id, month))
        processed = month < last_month
        head = {
            "link_key": f"{rng.getrandbits(128):032x}", "month": month, "agreement_id": agreement_id,
            "members_count": len(rows), **{c: sum(r[c] for r in rows) for c in SHARE_COLUMNS},
            "returned_pots_cents": 0, "owed_cents": owed, "status": "processed" if processed else "sent",
            "processed_at": _moment(_month_end(month) + timedelta(days=10)) if processed else None,
            "owed_status": "settled" if paid else "owed" if owed else "nothing_owed",
            "claim_reference": f"VORD-{month:%Y%m}-{tenant_id}" if paid else None,
            "claim_iban": None, "claimed_at": _moment(paid[0]) if paid else None,
            "end_to_end_id": None, "settled_on": paid[0] if paid else None, "created_at": created,
        }
        heads.append(head)
        keys.append((municipality_id, month, name, paid, rows))
    # Ids first: a settled settlement's end-to-end id names it, and the database wants it
    # on the row from the start.
    settlement_ids = _next_ids(Settlement, len(heads))
    own = [{**head, "id": sid, "tenant_id": tenant_id, "side": "cooperative", "partner_tenant_id": m,
            "partner_name": _gemeente({m: name}, m), "paid_entry_id": paid[1] if paid else None,
            "claim_iban": coop.municipality_ibans[m] if paid else None,
            "end_to_end_id": f"SETTLE-{tenant_id}-{sid}" if paid else None}
           for sid, head, (m, _month, name, paid, _rows) in zip(settlement_ids, heads, keys, strict=True)]
    _insert(Settlement, own)
    line_rows, line_municipality = [], []
    for sid, (m, _month, _name, _paid, rows) in zip(settlement_ids, keys, strict=True):
        for line in rows:
            line_rows.append({**line, "tenant_id": tenant_id, "settlement_id": sid})
            line_municipality.append(m)
    line_ids = _insert(SettlementLine, line_rows, returning=True)
    copies: dict[int, dict] = defaultdict(lambda: {"settlements": [], "lines": []})
    for head in own:
        m = head["partner_tenant_id"]
        copies[m]["settlements"].append({**head, "tenant_id": m, "side": "municipality",
                                         "partner_tenant_id": tenant_id, "partner_name": coop.tenant.name,
                                         "paid_entry_id": None})
    for line, line_id, m in zip(line_rows, line_ids, line_municipality, strict=True):
        person = by_member[line["member_id"]]
        copies[m]["lines"].append({**line, "id": line_id, "tenant_id": m,
                                   "client_reference": person.client_reference or None})
    result.settlements += len(own)
    result.settlement_lines += len(line_rows)
    return copies


def _next_ids(model, count: int) -> list[int]:
    if not count:
        return []
    return list(db.session.scalars(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": model.__tablename__, "n": count}))


# --- the employer cooperative ---------------------------------------------------------------------

PLACEMENT_KINDS = {"participation": 30, "jobs_agreement": 35, "sheltered": 10, "regular": 25}
PLACEMENT_ENDS = {"permanent_job": 30, "contract_ended": 25, "dropped_out": 25, "health": 10, "moved": 5, "other": 5}
PLANS = (
    "Eerste maand inwerken met een vaste collega; elke twee weken een gesprek met de jobcoach.",
    "Opbouw van uren in drie maanden; taalcoaching op de werkvloer.",
    "Werkplekaanpassing en een vaste begeleider; evaluatie na zes maanden.",
)


def _write_placements(rng: random.Random, tenant: Tenant, municipalities: list[tuple[int, str]], participants: int,
                      founded: date, today: date, result: HistoryResult) -> None:
    """Participants placed at member companies over the years; most placements last a year."""
    created = _moment(today)
    town = tenant.name.rsplit(" ", 1)[-1]
    with tenant_context(tenant.id):
        names = rng.sample(EMPLOYER_NAMES, k=min(len(EMPLOYER_NAMES), rng.randrange(8, 13)))
        employer_ids = _insert(Employer, [{"tenant_id": tenant.id, "name": name.format(town=town),
                                           "kvk_number": f"{10_000_000 + n * 7_919_123 % 89_999_999:08d}",
                                           "created_at": created} for n, name in enumerate(names, start=1)],
                               returning=True)
        people = [{"tenant_id": tenant.id, "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                   "date_of_birth": date(rng.randrange(1962, 2004), rng.randrange(1, 13), rng.randrange(1, 29)),
                   "benefit_municipality_id": rng.choice(municipalities)[0], "created_at": created}
                  for _ in range(participants)]
        participant_ids = _insert(Participant, people, returning=True)
        span = (today - founded).days
        rows = []
        for participant_id in participant_ids:
            start = founded + timedelta(days=int(span * rng.random() ** 0.8))
            while start <= today:
                end, reason, month = None, None, 1
                while add_months(start, month) <= today:
                    hazard = 0.03 if month <= 12 else 0.015
                    if rng.random() < hazard:
                        end = add_months(start, month) - timedelta(days=rng.randrange(0, 25))
                        reason = _weighted(rng, PLACEMENT_ENDS)
                        break
                    month += 1
                rows.append({"tenant_id": tenant.id, "participant_id": participant_id,
                             "employer_id": rng.choice(employer_ids), "kind": _weighted(rng, PLACEMENT_KINDS),
                             "start_date": start, "hours_per_week": rng.choice((8, 12, 16, 20, 24, 32)),
                             "guide": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                             "guidance_plan": rng.choice(PLANS), "end_date": end, "end_reason": reason,
                             "end_note": "", "created_at": created, "ended_at": _moment(end) if end else None})
                # Some find a next place after a placement that did not last.
                if end is None or reason == "permanent_job" or rng.random() > 0.3:
                    break
                start = end + timedelta(days=rng.randrange(30, 120))
        _insert(Placement, rows)
        result.placements += len(rows)


# --- the federation -------------------------------------------------------------------------------


def _spread(rng: random.Random, total: int, parts: int, minimum: int = 3) -> list[int]:
    """`total` split over `parts` of different sizes (some cooperatives are much larger)."""
    weights = [rng.lognormvariate(0, 0.5) for _ in range(parts)]
    scale = sum(weights)
    sizes = [max(minimum, int(total * w / scale)) for w in weights]
    sizes[sizes.index(max(sizes))] += total - sum(sizes)
    return sizes


def _references(names: tuple[str, ...] | None, rng: random.Random, count: int) -> list[ReferenceMunicipality]:
    everything = list(db.session.scalars(select(ReferenceMunicipality).order_by(ReferenceMunicipality.cbs_code)))
    if names:
        by_name = {m.name: m for m in everything}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ValueError(f"not a municipality in the reference data: {', '.join(unknown)}")
        chosen = [by_name[n] for n in names]
        return [chosen[i % len(chosen)] for i in range(count)]
    return [rng.choice(everything) for _ in range(count)]


def seed_history(*, cooperatives: int = 21, members: int | None = None, years: int = 4, today: date | None = None,
                 seed: int = 6, towns: tuple[str, ...] | None = None, employer_cooperatives: int = 1,
                 names: tuple[str, ...] | None = None, employer_towns: tuple[str, ...] | None = None,
                 employer_name: str | None = None, second_agreement_with: list[int] | None = None,
                 log=None) -> HistoryResult:
    """Create `cooperatives` social cooperatives (and employer cooperatives) with `years`
    of history up to `today`, `members` people in all (about 35 per cooperative over four
    years when not given), in the current unit of work (the caller commits).

    `towns`: CBS names the cooperatives are named after and work with (default: chosen
    at random from all municipalities, repeating as needed). Municipality tenants are
    made for them (or reused by their CBS code). `second_agreement_with`: municipality
    tenants some cooperatives also work with (default: the other towns'). Same arguments,
    same federation."""
    started = time.monotonic()
    rng = random.Random(seed)
    today = today or date.today()
    result = HistoryResult()
    window_start = add_months(_first_of_month(today), -12 * years)
    span = (today - window_start).days
    known: dict[str, Tenant] = {}
    disregards = _Disregards()
    homes = _references(towns, rng, cooperatives)
    sizes = _spread(rng, members if members is not None else cooperatives * rng.randrange(30, 40) * years // 4,
                    cooperatives)
    ibans: dict[int, str] = {}
    plans = []
    for number, (reference, size) in enumerate(zip(homes, sizes, strict=True)):
        municipality = _municipality_tenant(reference, known)
        ibans.setdefault(municipality.id, iban(rng, "BNGH"))
        pattern = rng.choice(NAME_PATTERNS)
        name = names[number] if names else _free_name(rng, pattern, reference.name)
        tenant = do_create_tenant(kind="cooperative", slug=_free_slug(slugify(name)), name=name, status="active")
        # Founded in the first half of the window: some run for years, some are young.
        founded = window_start + timedelta(days=rng.randrange(0, max(1, span // 2)))
        plans.append((tenant, municipality, founded, size, reference))
    municipality_ids = sorted({m.id for m in known.values()})
    second_pool = second_agreement_with if second_agreement_with is not None else municipality_ids
    for tenant, municipality, founded, size, reference in plans:
        with tenant_context(tenant.id):
            db.session.add(TenantProfile(legal_form="cooperatie_ua", kvk_number=kvk_number(rng),
                                         vat_number=vat_number(rng), iban=iban(rng), street=_street(rng),
                                         postal_code=postal_code(rng), city=reference.name,
                                         municipality_ids=[municipality.id], other_municipalities=[]))
            db.session.flush()
        agreements = {municipality.id: (*_agree(tenant, municipality, random_terms(rng), founded),
                                        municipality.name.removeprefix("Gemeente "))}
        starts = {municipality.id: founded}
        others = [m for m in second_pool if m != municipality.id]
        if others and rng.random() < 0.3:
            partner = db.session.get(Tenant, rng.choice(others))
            ibans.setdefault(partner.id, iban(rng, "BNGH"))
            second_from = founded + timedelta(days=rng.randrange(90, max(91, (today - founded).days // 2)))
            agreements[partner.id] = (*_agree(tenant, partner, random_terms(rng), second_from),
                                      partner.name.removeprefix("Gemeente "))
            starts[partner.id] = second_from
            with tenant_context(tenant.id):
                db.session.scalar(select(TenantProfile)).municipality_ids = [municipality.id, partner.id]
        coop = _Cooperative(tenant=tenant, founded=founded, agreements=agreements, municipality_ibans=ibans,
                            starts=starts)
        coop.people = _people(rng, coop, starts, size, today)
        _write_cooperative(rng, coop, today, disregards, result)
        result.cooperatives.append(tenant.id)
        if log:
            log(f"{tenant.name}: {len(coop.people)} members")
    employer_homes = _references(employer_towns, rng, max(1, len(employer_towns or ())) * employer_cooperatives)
    participants = max(10, (sum(sizes) // max(1, cooperatives)))
    for number in range(employer_cooperatives):
        group = employer_homes[number * max(1, len(employer_towns or ())):][:max(1, len(employer_towns or ()))]
        served = [(_municipality_tenant(r, known).id, r.name) for r in group]
        name = employer_name if employer_name and number == 0 else _free_name(rng, EMPLOYER_PATTERN, group[0].name)
        tenant = do_create_tenant(kind="employer_cooperative", slug=_free_slug(slugify(name)), name=name,
                                  status="active")
        with tenant_context(tenant.id):
            db.session.add(TenantProfile(legal_form="cooperatie_ua", kvk_number=kvk_number(rng),
                                         vat_number=vat_number(rng), iban=iban(rng), street=_street(rng),
                                         postal_code=postal_code(rng), city=group[0].name,
                                         municipality_ids=[m for m, _ in served], other_municipalities=[]))
            db.session.flush()
        founded = window_start + timedelta(days=rng.randrange(0, max(1, span // 3)))
        _write_placements(rng, tenant, served, participants, founded, today, result)
        result.employer_cooperatives.append(tenant.id)
    result.municipalities = sorted({m.id for m in known.values()})
    db.session.flush()
    result.seconds = time.monotonic() - started
    return result


STREETS = ("Kerkstraat", "Molenweg", "Stationsplein", "Dorpsstraat", "Industrieweg", "Voorstraat", "Nieuwe Gracht",
           "Havenkade", "Julianalaan", "Werkplaatsweg")


def _street(rng: random.Random) -> str:
    return f"{rng.choice(STREETS)} {rng.randrange(1, 180)}"


def _people(rng: random.Random, coop: _Cooperative, starts: dict[int, date], size: int, today: date) -> list[Person]:
    """The people who came to the cooperative since it started, more as it grew."""
    people, last_month = [], add_months(_first_of_month(today), -1)
    home = next(iter(coop.agreements))
    span = max(1, (today - coop.founded).days)
    for _ in range(size):
        start = coop.founded + timedelta(days=int(span * rng.random() ** 0.75))
        municipality_id = home
        for other, since in starts.items():
            if other != home and start >= since and rng.random() < 0.35:
                municipality_id = other
        referred = rng.random() < 0.75
        person = Person(name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        born=date(rng.randrange(1960, 2002), rng.randrange(1, 13), rng.randrange(1, 29)),
                        municipality_id=municipality_id, municipality_name=coop.agreements[municipality_id][2],
                        referred=referred, household="couple" if rng.random() < 0.25 else "single")
        simulate_journey(rng, person, start, today)
        person.periods = person.active_between()
        simulate_ladder(rng, person, today)
        simulate_earnings(rng, person, last_month)
        people.append(person)
    return people
