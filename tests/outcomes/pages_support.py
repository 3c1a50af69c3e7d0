"""Support of the outcome page tests: a committed world of outcome figures.

The figures are committed for real, on the owner's connection (the app role may only read
`outcome_figures`): in municipalities and cooperatives of their own, purged afterwards,
plus a CBS code on the baseline municipality M, taken away again. Periods are the months of
2025; stocks are counted in December, flows in June.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import psycopg

from tests.conftest import purge_tenant

DECEMBER, NOVEMBER, JUNE = date(2025, 12, 1), date(2025, 11, 1), date(2025, 6, 1)
PERIOD = {"period": "custom", "first": "2025-01", "last": "2025-12"}
COMPUTED_AT = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)

# Reference rows of our own (codes outside CBS's range in use), so real data is untouched.
OWN_CODE = "GM9901"
REFERENCE = [
    (OWN_CODE, "Eigenstad", 60000, 2),
    ("GM9902", "Peerstad Een", 55000, 2),
    ("GM9903", "Peerstad Twee", 70000, 2),
    ("GM9904", "Peerstad Drie", 80000, 2),
    ("GM9905", "Anderdorp", 65000, 4),  # the same size, another urbanity: no peer
]
# Peers' members by length of membership (lt 6m, 6-12m, 1-2y, 2y+), referred and stopped.
PEER_LENGTHS = {
    "GM9902": (7, 20, 30, 40),
    "GM9903": (12, 25, 35, 45),
    "GM9904": (15, 20, 25, 30),
}
PEER_REFERRED = 4  # each: 12 together, shown as 10
PEER_STOPPED = {"GM9902": 3, "GM9903": 2, "GM9904": 2}  # 7 together: suppressed


@dataclass
class World:
    municipality_id: int  # the baseline municipality M, with the code OWN_CODE
    providers: dict[str, int] = field(default_factory=dict)
    peers: dict[str, int] = field(default_factory=dict)  # code -> tenant id
    other: int = 0  # a municipality of the same size, another urbanity


def _tenant(conn, slug: str, name: str, kind: str, cbs_code: str | None = None) -> int:
    return conn.execute(
        "INSERT INTO tenants (slug, name, kind, status, created_at, status_changed_at, cbs_code) "
        "VALUES (%s, %s, %s, 'active', now(), now(), %s) RETURNING id", (slug, name, kind, cbs_code)).fetchone()[0]


def _figure(conn, month, municipality_id, provider_id, indicator, people, total=None, largest=None) -> None:
    total = people if total is None else total
    largest = min(total, 1) if largest is None else largest
    conn.execute(
        "INSERT INTO outcome_figures (month, municipality_id, provider_id, indicator, people, total, largest, "
        "computed_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        (month, municipality_id, provider_id, indicator, people, total, largest, COMPUTED_AT))


def build_world(admin_dsn: str, municipality_id: int) -> World:
    world = World(municipality_id)
    with psycopg.connect(admin_dsn) as conn:
        for code, name, inhabitants, urbanity in REFERENCE:
            conn.execute("INSERT INTO reference_municipalities (cbs_code, name, inhabitants, urbanity, year) "
                         "VALUES (%s, %s, %s, %s, 2024)", (code, name, inhabitants, urbanity))
        conn.execute("UPDATE tenants SET cbs_code = %s WHERE id = %s", (OWN_CODE, municipality_id))
        noord = _tenant(conn, "outcomes-noord", "Coöperatie Noord", "cooperative")
        zuid = _tenant(conn, "outcomes-zuid", "Coöperatie Zuid", "cooperative")
        world.providers = {"noord": noord, "zuid": zuid}
        for code, name, _inhabitants, _urbanity in REFERENCE[1:4]:
            world.peers[code] = _tenant(conn, f"outcomes-{code.lower()}", name, "municipality", code)
        world.other = _tenant(conn, "outcomes-gm9905", "Anderdorp", "municipality", "GM9905")

        own = municipality_id
        # Our own residents: 5 members with Noord and 2 with Zuid (7: shown in full).
        _figure(conn, DECEMBER, own, noord, "members", 5)
        _figure(conn, DECEMBER, own, zuid, "members", 2)
        _figure(conn, JUNE, own, noord, "members", 4)
        _figure(conn, JUNE, own, noord, "referred", 3)
        _figure(conn, JUNE, own, zuid, "referred", 1)
        _figure(conn, JUNE, own, noord, "outflow_work", 2)
        _figure(conn, JUNE, own, zuid, "outflow_business", 1)
        _figure(conn, date(2025, 7, 1), own, noord, "saving_cents", 2, 269090, 134545)
        _figure(conn, NOVEMBER, own, noord, "with_earnings", 4, 80000, 30000)
        _figure(conn, NOVEMBER, own, noord, "members", 5)
        _figure(conn, NOVEMBER, own, noord, "returned_cents", 2, 5000, 3000)
        for code, lengths in PEER_LENGTHS.items():
            peer = world.peers[code]
            for indicator, n in zip(("length_lt_6m", "length_6_12m", "length_1_2y", "length_gt_2y"), lengths,
                                    strict=True):
                _figure(conn, DECEMBER, peer, noord, indicator, n)
            _figure(conn, DECEMBER, peer, noord, "members", sum(lengths))
            _figure(conn, JUNE, peer, noord, "referred", PEER_REFERRED)
            _figure(conn, JUNE, peer, noord, "stopped", PEER_STOPPED[code])
        _figure(conn, DECEMBER, world.other, noord, "members", 50)
        _figure(conn, DECEMBER, world.other, noord, "length_gt_2y", 50)
    return world


def tear_down(admin_dsn: str, municipality_id: int) -> None:
    """Everything `build_world` made, found by its slugs and codes (also after a half-made world)."""
    with psycopg.connect(admin_dsn) as conn:
        made = [row[0] for row in conn.execute("SELECT id FROM tenants WHERE slug LIKE %s", ("outcomes-%",))]
    for tenant_id in made:
        purge_tenant(admin_dsn, tenant_id)
    with psycopg.connect(admin_dsn) as conn:
        conn.execute("UPDATE tenants SET cbs_code = NULL WHERE id = %s AND cbs_code = %s",
                     (municipality_id, OWN_CODE))
        conn.execute("DELETE FROM reference_municipalities WHERE cbs_code = ANY(%s)", ([r[0] for r in REFERENCE],))
