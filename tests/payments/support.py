"""Helpers of the payments tests: bank files built from the samples in files/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

FILES = Path(__file__).parent / "files"


@dataclass
class Entry:
    amount_cents: int  # + in, - out
    on: date
    text: str = ""
    ref: str = ""
    name: str = "Bakkerij De Korenbloem"
    iban: str = "NL20INGB0001234567"
    e2e: str = "NOTPROVIDED"
    msg_id: str = ""


def _euros(cents: int) -> str:
    return f"{abs(cents) // 100}.{abs(cents) % 100:02d}"


def camt053(entries: list[Entry], *, statement_id: str = "S1", start: date | None = None,
            end: date | None = None) -> bytes:
    template = (FILES / "camt053_template.xml").read_text()
    entry_template = (FILES / "camt053_entry.xml").read_text()
    start = start or min(e.on for e in entries)
    end = end or max(e.on for e in entries)
    body = "".join(entry_template.format(
        ref=e.ref, amount=_euros(e.amount_cents), sign="CRDT" if e.amount_cents > 0 else "DBIT", date=e.on.isoformat(),
        msg_id=e.msg_id or "NOTPROVIDED", e2e=e.e2e, name=e.name, iban=e.iban, text=e.text) for e in entries)
    return template.format(stmt_id=statement_id, start=start.isoformat(), end=end.isoformat(),
                           entries=body).encode("utf-8")


def mt940(amount: str, ref: str, text: str) -> bytes:
    return ((FILES / "statement.mt940").read_text().replace("{amount}", amount).replace("{ref}", ref)
            .replace("{text}", text).encode("utf-8"))


def import_file(data: bytes, name: str = "statement.xml", actor_id=None):
    from koepel.tenants.payments import do_import

    return do_import(file_name=name, data=data, actor_id=actor_id)
