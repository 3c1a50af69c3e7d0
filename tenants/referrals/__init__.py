"""Referrals: a municipality refers a resident to a cooperative, with consent."""

from .views import bp, bp_incoming

__all__ = ["bp", "bp_incoming"]
