"""The file's vocabulary: columns (Dutch headers, English accepted), the words accepted for
coded values, and what a citizen service number column looks like. Pure, no database."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from koepel.tenants.members import LANGUAGES, REFERRAL_SOURCES

# The columns in the template's order: key, Dutch header (the template's), English header.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "naam", "name"),
    ("email", "e-mail", "email"),
    ("phone", "telefoon", "phone"),
    ("date_of_birth", "geboortedatum", "date_of_birth"),
    ("municipality", "gemeente", "municipality"),
    ("language", "taal", "language"),
    ("referral_source", "verwijzer", "referral_source"),
    ("stage", "fase", "stage"),
    ("stage_since", "fase_sinds", "stage_since"),
    ("coach", "coach", "coach"),
    ("trade_name", "handelsnaam", "trade_name"),
    ("activity", "activiteit", "activity"),
    ("description", "omschrijving", "description"),
)
KEYS = tuple(key for key, _nl, _en in COLUMNS)
DUTCH_HEADERS = {key: nl for key, nl, _en in COLUMNS}
ENGLISH_HEADERS = {key: en for key, _nl, en in COLUMNS}
REQUIRED = ("name",)

# What each column holds, for the upload page (the person's language).
DESCRIPTIONS = {
    "name": _l("Full name. Required."),
    "email": _l("Email address. A line with the email address of an existing member is already present."),
    "phone": _l("Phone number."),
    "date_of_birth": _l("Date of birth, dd-mm-yyyy or yyyy-mm-dd. Without an email address, name and date of birth "
                        "recognise an existing member."),
    "municipality": _l("Municipality of residence."),
    "language": _l("Language code (nl, en, ar, tr, pl, ti, uk, other) or its Dutch name. Empty: nl."),
    "referral_source": _l("How the person came: municipality, work_organisation, social_services, self, other "
                          "(or gemeente, werkorganisatie, sociale dienst, zelf, anders). Empty: municipality."),
    "stage": _l("Where the journey starts: referred or intake (verwezen or intake). Empty: intake."),
    "stage_since": _l("Date the journey started, dd-mm-yyyy or yyyy-mm-dd, not in the future. Empty: today."),
    "coach": _l("Email address of a coach (or coordinator) of this cooperative. Optional."),
    "trade_name": _l("Trade name of the member's business. Optional; needed when activity or description is given."),
    "activity": _l("What the business does, in a few words."),
    "description": _l("Description of the business."),
}

MAX_LENGTHS = {
    "name": 200, "email": 254, "phone": 40, "municipality": 100, "coach": 254,
    "trade_name": 200, "activity": 200, "description": 2000,
}


def normalise(text: object) -> str:
    """A header or coded value as compared: lower case, no accents, no spaces, dashes,
    underscores or dots ("E-mail" == "email", "Fase sinds" == "fase_sinds")."""
    plain = unicodedata.normalize("NFKD", str(text or "").replace("\ufeff", ""))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[\s\-_.]+", "", plain.casefold())


_HEADER_ALIASES = {
    "name": ("naam", "volledigenaam", "name", "fullname"),
    "email": ("email", "emailadres", "mail"),
    "phone": ("telefoon", "telefoonnummer", "mobiel", "phone", "phonenumber", "telephone"),
    "date_of_birth": ("geboortedatum", "dateofbirth", "birthdate"),
    "municipality": ("gemeente", "woongemeente", "municipality"),
    "language": ("taal", "language"),
    "referral_source": ("verwijzer", "verwijzing", "referralsource", "referral"),
    "stage": ("fase", "stage"),
    "stage_since": ("fasesinds", "stagesince"),
    "coach": ("coach", "begeleider"),
    "trade_name": ("handelsnaam", "bedrijfsnaam", "tradename"),
    "activity": ("activiteit", "activity"),
    "description": ("omschrijving", "beschrijving", "description"),
}
HEADER_KEYS = {alias: key for key, aliases in _HEADER_ALIASES.items() for alias in aliases}

# A column that holds (or looks like it holds) a citizen service number. A cooperative has
# no legal basis to process one (DOMAIN.md "Privacy"): such a file is refused as a whole.
_BSN_MARKERS = ("bsn", "burgerservicenummer", "burgerservice", "sofinummer", "citizenservicenumber",
                "socialsecuritynumber", "servicenummer")


def looks_like_bsn(header: object) -> bool:
    word = normalise(header)
    return any(marker in word for marker in _BSN_MARKERS)


def header_key(header: object) -> str | None:
    return HEADER_KEYS.get(normalise(header))


# Coded values: the code itself and its Dutch (and English) names.
LANGUAGE_WORDS = {
    "nl": ("nederlands", "dutch"),
    "en": ("engels", "english"),
    "ar": ("arabisch", "arabic"),
    "tr": ("turks", "turkish"),
    "pl": ("pools", "polish"),
    "ti": ("tigrinya", "tigrinia", "tigrinisch"),
    "uk": ("oekraiens", "ukrainian"),
    "other": ("anders", "overig", "andere"),
}
REFERRAL_WORDS = {
    "municipality": ("gemeente", "klantmanager"),
    "work_organisation": ("werkorganisatie", "werkbedrijf", "workorganization"),
    "social_services": ("socialedienst", "socialedienstverlening", "wijkteam", "socialservices"),
    "self": ("zelf", "eigeninitiatief", "zelfmelder", "owninitiative"),
    "other": ("anders", "overig", "andere"),
}
# An import starts a journey: only the start stages.
STAGE_WORDS = {
    "referred": ("verwezen", "aangemeld", "verwijzing"),
    "intake": ("intake", "kennismaking"),
}


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {}
    for code, names in words.items():
        table[normalise(code)] = code
        for name in names:
            table[normalise(name)] = code
    return table


def _known(table: dict[str, str], codes: tuple[str, ...]) -> dict[str, str]:
    """Only codes the members package knows; a code it knows without names here still counts
    (tests/member_transfer checks that the names cover every code)."""
    known = {word: code for word, code in table.items() if code in codes}
    known.update({normalise(code): code for code in codes})
    return known


LANGUAGE_CODES = _known(_lookup(LANGUAGE_WORDS), LANGUAGES)
REFERRAL_CODES = _known(_lookup(REFERRAL_WORDS), REFERRAL_SOURCES)
STAGE_CODES = _lookup(STAGE_WORDS)

DEFAULTS = {"language": "nl", "referral_source": "municipality", "stage": "intake"}


def example_row(today_text: str) -> dict[str, str]:
    """The template's example line: valid as it stands (the template imports cleanly)."""
    return {
        "name": "Fatima el Amrani", "email": "fatima.elamrani@voorbeeld.nl", "phone": "06 12345678",
        "date_of_birth": "14-03-1985", "municipality": "Delft", "language": "nl", "referral_source": "municipality",
        "stage": "intake", "stage_since": today_text, "coach": "", "trade_name": "Fatima's Naaiatelier",
        "activity": "Kleding herstellen en op maat maken", "description": "Reparaties en maatwerk voor buurtbewoners.",
    }
