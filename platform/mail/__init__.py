"""Outgoing mail: rendered in the recipient's language, delivered by an rq job."""

from .operations import send_mail

__all__ = ["send_mail"]
