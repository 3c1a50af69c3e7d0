"""The cooperative's books as reports: its own costs, the trial balance, an account's
history, the members' pot statements, VAT per quarter and the journal for the bookkeeper
(DOMAIN.md "The money")."""

from .models import COST_CATEGORIES, Cost
from .operations import BooksError, do_record_cost, do_reverse_cost
from .queries import PotStatement, TrialBalance, VatReport, pot_statement, trial_balance, vat_report
from .views import bp

__all__ = [
    "COST_CATEGORIES", "BooksError", "Cost", "PotStatement", "TrialBalance", "VatReport", "bp", "do_record_cost",
    "do_reverse_cost", "pot_statement", "trial_balance", "vat_report",
]
