"""The participation ladder."""

from .views import bp

__all__ = ["bp"]
