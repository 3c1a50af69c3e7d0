"""Self-onboarding of cooperatives: the public sign-up wizard and the applicant's status page."""

from .views import bp

__all__ = ["bp"]
