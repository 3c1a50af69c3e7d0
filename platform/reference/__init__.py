"""Reference data of all Dutch municipalities (CBS, 2024) for peer comparison.

National public data, not tenant-owned (sources and gaps: README.md beside this file).

Reading (any package):
    by_code(cbs_code), by_name(name), all_municipalities()   ReferenceMunicipality rows
    peers_of(cbs_code)              same CBS size class and urbanity, itself excluded
    size_class(inhabitants)         the CBS size class key, None when unknown
    SIZE_CLASS_LABELS, URBANITY_LABELS   readable names (gettext)
Loading: `koepel reference-load [--file F]` (operations.do_load_reference), all-or-nothing.
"""

from .classes import SIZE_CLASS_LABELS, SIZE_CLASSES, URBANITY_LABELS, size_class, size_class_bounds
from .data import ReferenceDataError, parse_municipalities
from .models import ReferenceMunicipality
from .operations import LoadResult, do_load_reference
from .queries import all_municipalities, by_code, by_name, peers_of

__all__ = [
    "SIZE_CLASSES",
    "SIZE_CLASS_LABELS",
    "URBANITY_LABELS",
    "LoadResult",
    "ReferenceDataError",
    "ReferenceMunicipality",
    "all_municipalities",
    "by_code",
    "by_name",
    "do_load_reference",
    "parse_municipalities",
    "peers_of",
    "size_class",
    "size_class_bounds",
]
