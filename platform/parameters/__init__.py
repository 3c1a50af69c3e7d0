"""Rules that change by year (DOMAIN.md): named values with a validity period."""

from .views import bp

__all__ = ["bp"]
