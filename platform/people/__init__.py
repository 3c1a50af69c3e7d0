"""The people of a tenant: invitations, roles, and the rule that a tenant keeps a coordinator."""

from .views import bp

__all__ = ["bp"]
