"""Outgoing mail: rendered in the recipient's language, delivered by an rq job."""

from .operations import external_url, send_mail

__all__ = ["external_url", "send_mail"]
