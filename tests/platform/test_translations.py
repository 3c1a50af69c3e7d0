"""The nl and en catalogs are complete and current: every text a person can see is
translated, placeholders survive translation and the committed .mo files match the .po
files. Needs no database or Redis: it only reads the source tree and the catalogs."""

from __future__ import annotations

import gettext
import re
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "platform" / "translations"
DOMAIN = "messages"
LANGUAGES = ("nl", "en")
# The Makefile's `pybabel extract` passes `-k _l` on top of Babel's defaults; babel.cfg
# adds lazy_gettext and friends per section.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}

# %(name)s, %s, %d, %% (printf style) and {name} / {} (str.format style).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0+-]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}\s]*\}")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def load_po(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def msgid_of(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def label(message: Message) -> str:
    return f"{message.context}|{msgid_of(message)}" if message.context else msgid_of(message)


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str], str]:
    """What `make i18n-extract` would find now: (context, msgid) -> where it was found."""
    with MAPPING.open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, str(MAPPING))
    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple | list) else message
        if msgid:
            found.setdefault((context, msgid), f"{filename}:{lineno}")
    assert found, f"extraction with {MAPPING.name} found no messages at all; is the mapping broken?"
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_has_every_extracted_message(lang, extracted):
    catalog = load_po(lang)
    missing = sorted(
        f"{msgid!r} ({where})"
        for (context, msgid), where in extracted.items()
        if catalog.get(msgid, context=context) is None
    )
    stale = sorted(label(m) for m in entries(catalog) if (m.context, msgid_of(m)) not in extracted)
    problems = []
    if missing:
        problems.append(
            f"{len(missing)} message(s) missing from {po_path(lang).relative_to(ROOT)}:\n  "
            + "\n  ".join(missing)
        )
    if stale:
        problems.append(
            f"{len(stale)} message(s) in {po_path(lang).relative_to(ROOT)} no longer "
            "in the code:\n  " + "\n  ".join(repr(s) for s in stale)
        )
    assert not problems, (
        "\n".join(problems)
        + "\nRun `make i18n-extract`, translate the new entries (nl and en), then `make i18n`."
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(lang):
    catalog = load_po(lang)
    assert not catalog.fuzzy, f"the header of {po_path(lang).relative_to(ROOT)} is marked fuzzy"
    assert entries(catalog), f"{po_path(lang).relative_to(ROOT)} has no messages"
    untranslated, fuzzy = [], []
    for message in entries(catalog):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(label(message))
        if message.fuzzy:
            fuzzy.append(label(message))
    where = po_path(lang).relative_to(ROOT)
    problems = []
    if untranslated:
        problems.append(
            f"{len(untranslated)} untranslated message(s) in {where}:\n  "
            + "\n  ".join(map(repr, untranslated))
        )
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} fuzzy message(s) in {where} (check the translation, "
            "then remove the `#, fuzzy` flag):\n  " + "\n  ".join(map(repr, fuzzy))
        )
    assert not problems, "\n".join(problems) + "\nFix the msgstr entries, then run `make i18n`."


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text or ""))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_match(lang):
    wrong = []
    for message in entries(load_po(lang)):
        if isinstance(message.id, tuple):
            # A plural form may leave out the count ("één lid"), but may not invent one.
            allowed = set(placeholders(message.id[0])) | set(placeholders(message.id[1]))
            forms = [set(placeholders(s)) for s in message.string]
            ok = all(form <= allowed for form in forms) and set().union(*forms) >= set(
                placeholders(message.id[1])
            ) - {"%%"}
        else:
            ok = placeholders(message.id) == placeholders(message.string)
        if not ok:
            wrong.append(f"{message.id!r} -> {message.string!r}")
    assert not wrong, (
        f"placeholders differ between msgid and msgstr in {po_path(lang).relative_to(ROOT)}:\n  "
        + "\n  ".join(wrong)
    )


def _catalog_of(translations: gettext.GNUTranslations) -> dict:
    # The "" entry is the header (dates change on every update); compare it separately.
    return {k: v for k, v in translations._catalog.items() if k != ""}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_is_current(lang):
    path = mo_path(lang)
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run `make i18n`"

    compiled = BytesIO()
    write_mo(compiled, load_po(lang))  # as `pybabel compile` does: fuzzy entries left out
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with path.open("rb") as f:
        committed = Translations(f, domain=DOMAIN)

    want, have = _catalog_of(expected), _catalog_of(committed)
    differ = sorted(
        repr(k if isinstance(k, str) else k[0])
        for k in want.keys() | have.keys()
        if want.get(k) != have.get(k)
    )
    assert not differ, (
        f"{path.relative_to(ROOT)} is out of date with its .po file ({len(differ)} message(s) "
        "differ):\n  " + "\n  ".join(differ) + "\nRun `make i18n` and commit the .mo file."
    )
    plurals = [expected.plural(n) for n in range(200)]
    assert [committed.plural(n) for n in range(200)] == plurals, (
        f"{path.relative_to(ROOT)} has other Plural-Forms than its .po file: run `make i18n`"
    )
    assert committed.info().get("language") == lang, (
        f"{path.relative_to(ROOT)} is not the {lang} catalog: run `make i18n`"
    )
