"""The member portal."""

from .views import bp

__all__ = ["bp"]
