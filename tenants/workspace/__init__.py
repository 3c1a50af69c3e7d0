"""The tenant's home: where each kind of tenant lands after signing in."""

from .views import bp

__all__ = ["bp"]
