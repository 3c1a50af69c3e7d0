"""A person's own account: verification, password reset, two-factor, data and erasure."""

from . import models  # noqa: F401 - the tables are part of the metadata wherever the app runs
from .views import bp

__all__ = ["bp"]
