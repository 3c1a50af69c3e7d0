"""Reading bank statements: CAMT.053 (ISO 20022 XML, read with the standard library's
ElementTree, namespace by namespace version) and MT940 (the SWIFT text format, read with
the `mt-940` library). No database here.

A file is read whole before anything is stored: any fault raises `StatementError` with
what is wrong and where (the entry's number, the line of the file), and nothing of the
file is used. Amounts become integer cents, positive for money in, negative for money out.
Only euro accounts are read.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

FORMATS = ("camt053", "mt940")
MAX_BYTES = 5 * 1024 * 1024


class StatementError(ValueError):
    """A file that cannot be read: `problems` says what and where (for people)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ParsedLine:
    booking_date: date
    amount_cents: int  # + in, - out
    counterparty_name: str = ""
    counterparty_iban: str = ""
    remittance: str = ""
    end_to_end_id: str = ""
    bank_reference: str = ""  # the bank's own reference of the entry (unique at that bank), if any
    message_id: str = ""  # the message id of a batch the entry books (outgoing SEPA files)


@dataclass
class ParsedStatement:
    format: str
    account_iban: str = ""
    period_start: date | None = None
    period_end: date | None = None
    lines: list[ParsedLine] = field(default_factory=list)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_format(data: bytes) -> str | None:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt053"
    if re.search(rb"^:20:", head, re.M) or re.search(rb"^\{1:", head):
        return "mt940"
    return None


def parse(data: bytes) -> ParsedStatement:
    """The statement in `data`, whichever of the two formats it is; StatementError otherwise."""
    if not data or not data.strip():
        raise StatementError(["The file is empty."])
    if len(data) > MAX_BYTES:
        raise StatementError(["The file is larger than 5 MB."])
    kind = detect_format(data)
    if kind == "camt053":
        statement = parse_camt053(data)
    elif kind == "mt940":
        statement = parse_mt940(data)
    else:
        raise StatementError(["This is not a CAMT.053 (XML) or MT940 bank statement."])
    if not statement.lines:
        raise StatementError(["The statement holds no entries."])
    return statement


# --- CAMT.053 ----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, *path: str):
    """The first descendant along `path` of local names (namespace left out)."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element, name: str) -> list:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _cents(text: str) -> int:
    value = Decimal(text.strip())
    if value != value.quantize(Decimal("0.01")) or not value.is_finite():
        raise InvalidOperation
    return int(value * 100)


def parse_camt053(data: bytes) -> ParsedStatement:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise StatementError([f"The XML cannot be read: {error}."]) from None
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    report = _child(root, "BkToCstmrStmt")
    if _local(root.tag) != "Document" or report is None or "camt.053" not in namespace:
        raise StatementError(["This XML is not a CAMT.053 bank statement (Document/BkToCstmrStmt)."])
    statements = _children(report, "Stmt")
    if len(statements) != 1:
        raise StatementError([f"A file should hold one statement (Stmt); this one holds {len(statements)}."])
    stmt = statements[0]
    parsed = ParsedStatement(format="camt053")
    problems: list[str] = []
    parsed.account_iban = _text(stmt, "Acct", "Id", "IBAN").replace(" ", "").upper()
    currency = _text(stmt, "Acct", "Ccy")
    if currency and currency != "EUR":
        problems.append(f"The account's currency is {currency}; only EUR accounts are read.")
    try:
        start, end = _text(stmt, "FrToDt", "FrDtTm"), _text(stmt, "FrToDt", "ToDtTm")
        parsed.period_start = _date(start) if start else None
        parsed.period_end = _date(end) if end else None
    except ValueError:
        problems.append("The statement's period (FrToDt) is not a date.")
    for number, entry in enumerate(_children(stmt, "Ntry"), start=1):
        where = f"Entry {number}"
        amount = _child(entry, "Amt")
        sign = _text(entry, "CdtDbtInd")
        booked = _text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm") or _text(entry, "ValDt", "Dt")
        try:
            cents = _cents(amount.text or "") if amount is not None else None
        except (InvalidOperation, ValueError):
            cents = None
        if cents is None or cents <= 0:
            problems.append(f"{where}: the amount (Amt) is missing or not a positive amount in euros.")
            continue
        if amount.get("Ccy", "EUR") != "EUR":
            problems.append(f"{where}: the currency is {amount.get('Ccy')}; only EUR is read.")
            continue
        if sign not in ("CRDT", "DBIT"):
            problems.append(f"{where}: CdtDbtInd should be CRDT or DBIT, not {sign or 'empty'}.")
            continue
        try:
            booking_date = _date(booked)
        except ValueError:
            problems.append(f"{where}: the booking date (BookgDt) is missing or not a date.")
            continue
        status = _text(entry, "Sts") or _text(entry, "Sts", "Cd")
        if status and status not in ("BOOK",):
            continue  # pending or informational entries are not booked yet
        details = _child(entry, "NtryDtls", "TxDtls")
        party = "Dbtr" if sign == "CRDT" else "Cdtr"
        remittance = " ".join(e.text.strip() for e in _children(_child(details, "RmtInf"), "Ustrd") if e.text)
        structured = _text(details, "RmtInf", "Strd", "CdtrRefInf", "Ref")
        info = _text(entry, "AddtlNtryInf")
        parsed.lines.append(ParsedLine(
            booking_date=booking_date,
            amount_cents=cents if sign == "CRDT" else -cents,
            counterparty_name=(_text(details, "RltdPties", party, "Nm")
                               or _text(details, "RltdPties", party, "Pty", "Nm"))[:140],
            counterparty_iban=(_text(details, "RltdPties", f"{party}Acct", "Id", "IBAN")).replace(" ", "").upper()[:34],
            remittance=" ".join(t for t in (remittance, structured, info) if t)[:1000],
            end_to_end_id=_reference(_text(details, "Refs", "EndToEndId"))[:35],
            bank_reference=(_text(entry, "AcctSvcrRef") or _text(entry, "NtryRef"))[:100],
            message_id=(_text(entry, "NtryDtls", "Btch", "MsgId") or _text(details, "Refs", "MsgId"))[:35],
        ))
    if problems:
        raise StatementError(problems)
    return parsed


# --- MT940 -------------------------------------------------------------------------------------

_AMOUNT_61 = re.compile(r"^:61:\d{6}(\d{4})?R?[CD]R?[A-Z]?(?P<amount>[^N]*)N", re.M)


def _check_mt940_lines(text: str) -> list[str]:
    """The library is lenient about a :61: line it cannot read (it leaves the line out):
    check every amount here, with its line number."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(":61:"):
            continue
        match = re.match(r"^:61:(?P<date>\d{6})(\d{4})?(?P<sign>R?[CD])(?P<fund>[A-Z]?)(?P<amount>\d+,\d{0,2})N",
                         line)
        if not match:
            problems.append(f"Line {number}: the transaction (:61:) has no valid date, sign or amount: {line[:60]}")
    return problems


def parse_mt940(data: bytes) -> ParsedStatement:
    import mt940  # noqa: PLC0415 - only when a file in this format comes in

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    problems = _check_mt940_lines(text)
    if problems:
        raise StatementError(problems)
    try:
        transactions = mt940.models.Transactions()
        transactions.parse(text)
    except Exception as error:  # noqa: BLE001 - the library raises many kinds; each means "cannot read"
        raise StatementError([f"The MT940 file cannot be read: {error}"]) from None
    parsed = ParsedStatement(format="mt940")
    account = str(transactions.data.get("account_identification") or "")
    parsed.account_iban = account.split("/")[0].replace(" ", "").upper()[:34]
    if text.count(":61:") != len(transactions):
        raise StatementError(["The MT940 file has transactions (:61:) that cannot be read."])
    for number, transaction in enumerate(transactions, start=1):
        values = transaction.data
        amount = values.get("amount")
        booked = values.get("entry_date") or values.get("date")
        if amount is None or booked is None:
            problems.append(f"Transaction {number}: no amount or date.")
            continue
        if getattr(amount, "currency", "EUR") not in ("EUR", None):
            problems.append(f"Transaction {number}: the currency is {amount.currency}; only EUR is read.")
            continue
        try:
            cents = _cents(str(amount.amount))
        except (InvalidOperation, ValueError):
            problems.append(f"Transaction {number}: the amount {amount.amount} is not in euros and cents.")
            continue
        details = " ".join(str(values.get(k) or "") for k in ("transaction_details", "extra_details")).strip()
        details = re.sub(r"\s+", " ", details)
        name = _structured(details, "NAME")
        iban = _structured(details, "IBAN")
        remittance = _structured(details, "REMI") or details
        reference = str(values.get("bank_reference") or "")
        customer = str(values.get("customer_reference") or "")
        parsed.lines.append(ParsedLine(
            booking_date=date(booked.year, booked.month, booked.day),
            amount_cents=cents,
            counterparty_name=name[:140],
            counterparty_iban=iban.replace(" ", "").upper()[:34],
            remittance=remittance[:1000],
            end_to_end_id=_reference(_structured(details, "EREF") or customer)[:35],
            bank_reference=reference[:100],
        ))
    if problems:
        raise StatementError(problems)
    if transactions.transactions:
        first = transactions.transactions[0].data.get("final_opening_balance") or transactions.data.get(
            "final_opening_balance")
        last = transactions.data.get("final_closing_balance")
        parsed.period_start = getattr(first, "date", None)
        parsed.period_end = getattr(last, "date", None)
    return parsed


def _reference(text: str) -> str:
    return "" if text.upper() in ("NONREF", "NOTPROVIDED") else text


def _structured(details: str, key: str) -> str:
    """A field of the Dutch banks' structured :86: text ('/NAME/Jansen/REMI/...')."""
    match = re.search(rf"/{key}/(?P<value>.*?)(?=/[A-Z]{{4}}/|$)", details)
    return match["value"].strip() if match else ""


def line_keys(account_iban: str, lines: list[ParsedLine]) -> list[str]:
    """The key that makes a line the same line in every file it appears in (overlapping
    statements): the bank's reference of the entry when it gives one, else a hash of the
    account, date, amount, counterparty and text with its position among identical lines
    of the day (two identical transfers on one day are two lines)."""
    keys, seen = [], {}
    for line in lines:
        if line.bank_reference and line.bank_reference.upper() not in ("NONREF", "NOTPROVIDED"):
            raw = f"ref|{account_iban}|{line.bank_reference}|{line.booking_date.isoformat()}|{line.amount_cents}"
        else:
            base = (f"{account_iban}|{line.booking_date.isoformat()}|{line.amount_cents}|{line.counterparty_iban}|"
                    f"{line.remittance}|{line.end_to_end_id}")
            seen[base] = seen.get(base, 0) + 1
            raw = f"hash|{base}|{seen[base]}"
        keys.append(hashlib.sha256(raw.encode("utf-8")).hexdigest())
    return keys
