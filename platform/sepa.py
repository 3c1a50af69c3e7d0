"""SEPA credit-transfer files (pain.001.001.03) for the bank, made with sepaxml.

One place for the file format: the savings-pot payouts and the payment of what a
cooperative owes a municipality both hand the bank such a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sepaxml import SepaTransfer


@dataclass(frozen=True)
class Transfer:
    name: str
    iban: str
    amount_cents: int
    description: str
    end_to_end_id: str  # how the bank statement names the payment back


def credit_transfer_file(*, debtor_name: str, debtor_iban: str, message_id: str, execution_date: date,
                         transfers: list[Transfer]) -> str:
    """The pain.001.001.03 file paying `transfers` from `debtor_iban` (validated against
    the schema before it is returned)."""
    sepa = SepaTransfer({"name": debtor_name, "IBAN": debtor_iban, "batch": True, "currency": "EUR"},
                        schema="pain.001.001.03", clean=True)
    sepa.msg_id = message_id
    sepa._xml.find("CstmrCdtTrfInitn").find("GrpHdr").find("MsgId").text = message_id
    for transfer in transfers:
        sepa.add_payment({
            "name": transfer.name, "IBAN": transfer.iban, "amount": transfer.amount_cents,
            "execution_date": execution_date, "description": transfer.description[:140],
            "endtoend_id": transfer.end_to_end_id,
        })
    return sepa.export(validate=True).decode("utf-8")
