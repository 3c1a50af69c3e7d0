"""Import and export of members."""

from . import jobs  # noqa: F401 - declares the import job wherever the app is made
from .models import IMPORT_STATUSES, MemberImport
from .operations import IMPORT_JOB, TransferError, do_run_import, do_start_import
from .views import bp

__all__ = ["IMPORT_JOB", "IMPORT_STATUSES", "MemberImport", "TransferError", "bp", "do_run_import", "do_start_import"]
