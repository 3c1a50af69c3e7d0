"""Agreements between a cooperative and a municipality, in versions valid from a date."""

from .views import bp

__all__ = ["bp"]
