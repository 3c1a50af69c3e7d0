"""The append-only audit log: who did what, in which tenant, when and from where."""

from .models import AuditEvent
from .operations import record

__all__ = ["AuditEvent", "record"]
