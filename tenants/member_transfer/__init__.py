"""Import and export of members."""

from .views import bp

__all__ = ["bp"]
