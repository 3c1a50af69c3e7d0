"""Outcome figures across the network: computed nightly and on demand into
`outcome_figures` (counts and sums only), read by the municipality and umbrella pages.

Computing: `run_aggregation(progress)` (aggregate.py), the job `outcomes.aggregate` and
`do_request_aggregation(actor_id)` (jobs.py), `koepel aggregate-outcomes` for cron.
Reading (queries.py, raw: the pages apply disclosure control):
    figures(municipality_ids, first, last, *, provider_id=None) -> {indicator: Figure}
    monthly(municipality_ids, indicator, first, last) -> [(month, Figure)]
    by_provider(municipality_id, first, last) -> {provider_id: {indicator: Figure}}
    provider_names(ids), peer_municipalities(municipality_id), peer_basis(municipality_id),
    last_computed()
"""

from . import jobs  # noqa: F401 - declares the job kind wherever the app is made
from .aggregate import SAVING_MONTHS, AggregationResult, run_aggregation
from .jobs import AGGREGATE_JOB, do_request_aggregation, schedule_nightly
from .models import OutcomeFigure
from .queries import (
    AMOUNTS,
    INDICATORS,
    LABELS,
    STOCKS,
    Figure,
    by_provider,
    figures,
    last_computed,
    monthly,
    peer_basis,
    peer_municipalities,
    provider_names,
)

__all__ = [
    "AGGREGATE_JOB",
    "AMOUNTS",
    "INDICATORS",
    "LABELS",
    "SAVING_MONTHS",
    "STOCKS",
    "AggregationResult",
    "Figure",
    "OutcomeFigure",
    "by_provider",
    "do_request_aggregation",
    "figures",
    "last_computed",
    "monthly",
    "peer_basis",
    "peer_municipalities",
    "provider_names",
    "run_aggregation",
    "schedule_nightly",
]
