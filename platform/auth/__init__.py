"""Accounts and sign-in."""

from .models import LANGUAGES, User
from .passwords import hash_password, password_problems, verify_password
from .permissions import PERMISSIONS, can, requires

__all__ = ["LANGUAGES", "PERMISSIONS", "User", "can", "hash_password", "password_problems", "requires", "verify_password"]
