"""The member portal: a member's own status, journey, goals, ladder, meetings and coach."""

from .views import bp

__all__ = ["bp"]
