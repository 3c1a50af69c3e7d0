"""A person's own account: verification, password reset, two-factor, data and erasure."""

from .views import bp

__all__ = ["bp"]
