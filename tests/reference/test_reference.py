"""Reference data of the Dutch municipalities (issue 6): the shipped file, the table the
migration fills, CBS size classes, peer groups, and `koepel reference-load`."""

from __future__ import annotations

import csv

import psycopg
import pytest
from click.testing import CliRunner
from flask_babel import force_locale

from koepel.platform.cli import main
from koepel.platform.reference import (
    ReferenceDataError,
    by_code,
    by_name,
    parse_municipalities,
    peers_of,
    size_class,
)
from koepel.platform.reference.data import shipped_municipalities, shipped_text
from tests.conftest import TEST_DATABASE

HEADER = "cbs_code,name,inhabitants,urbanity\n"


# -- the shipped file --------------------------------------------------------------------

def test_shipped_file_has_the_342_municipalities_of_2024_once_each():
    rows = shipped_municipalities()
    assert len(rows) == 342
    assert len({row.cbs_code for row in rows}) == 342
    names = {row.cbs_code: row.name for row in rows}
    assert names["GM0363"] == "Amsterdam"
    assert names["GM0503"] == "Delft"
    assert names["GM1992"] == "Voorne aan Zee"  # formed 1 January 2023
    assert names["GM0518"] == "'s-Gravenhage"


def test_shipped_inhabitants_match_the_cbs_province_totals():
    """Every figure that is filled in is CBS's of 1 January 2024: the two complete
    provinces add up to CBS's province totals exactly."""
    rows = {row.cbs_code: row for row in shipped_municipalities()}
    drenthe = ["GM1680", "GM0106", "GM1681", "GM0109", "GM1690", "GM0114", "GM0118",
               "GM0119", "GM1731", "GM1699", "GM1730", "GM1701"]
    flevoland = ["GM0034", "GM0303", "GM0995", "GM0171", "GM0184", "GM0050"]
    assert sum(rows[code].inhabitants for code in drenthe) == 504_116
    assert sum(rows[code].inhabitants for code in flevoland) == 450_920


# -- the table ---------------------------------------------------------------------------

def test_the_migration_loads_every_municipality(db_session):
    from sqlalchemy import func, select

    from koepel.platform.reference import ReferenceMunicipality

    assert db_session.scalar(select(func.count()).select_from(ReferenceMunicipality)) == 342
    assert set(db_session.scalars(select(ReferenceMunicipality.year).distinct())) == {2024}


def test_known_municipalities(db_session):
    amsterdam = by_code("GM0363")
    assert (amsterdam.name, amsterdam.inhabitants, amsterdam.size_class) == ("Amsterdam", 931_298, "250k_plus")
    delft = by_code("GM0503")
    assert delft.name == "Delft"
    # No source for Delft's 2024 figure was found: unknown, not guessed.
    assert delft.inhabitants is None and delft.size_class is None
    westerveld = by_code("GM1701")
    assert (westerveld.inhabitants, westerveld.size_class) == (20_000, "20k_50k")
    assert by_code("GM9999") is None
    assert by_name("delft").cbs_code == "GM0503"


def test_the_app_role_reads_but_never_writes_the_table(app_role_dsn):
    with psycopg.connect(app_role_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM reference_municipalities").fetchone()[0] == 342
    for statement in (
        "UPDATE reference_municipalities SET inhabitants = 1 WHERE cbs_code = 'GM0503'",
        "INSERT INTO reference_municipalities VALUES ('GM9999', 'Nergens', 1, 1, 2024)",
        "DELETE FROM reference_municipalities WHERE cbs_code = 'GM0503'",
        "TRUNCATE reference_municipalities CASCADE",
    ):
        with psycopg.connect(app_role_dsn) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_only_a_municipality_tenant_has_an_existing_cbs_code(admin_dsn, baseline):
    cases = [
        (baseline.coop_a.id, "GM0503", psycopg.errors.CheckViolation),
        (baseline.municipality.id, "GM9999", psycopg.errors.ForeignKeyViolation),
    ]
    for tenant_id, code, error in cases:
        with psycopg.connect(admin_dsn) as conn, pytest.raises(error):
            conn.execute("UPDATE tenants SET cbs_code = %s WHERE id = %s", (code, tenant_id))
    with psycopg.connect(admin_dsn) as conn:  # rolled back on leaving the block without commit
        conn.execute("UPDATE tenants SET cbs_code = 'GM0503' WHERE id = %s", (baseline.municipality.id,))
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("UPDATE tenants SET cbs_code = 'GM0503' WHERE id = %s", (baseline.municipality_b.id,))
        conn.rollback()


# -- size classes ------------------------------------------------------------------------

@pytest.mark.parametrize(("inhabitants", "expected"), [
    (1, "lt_20k"), (19_999, "lt_20k"),
    (20_000, "20k_50k"), (49_999, "20k_50k"),
    (50_000, "50k_100k"), (99_999, "50k_100k"),
    (100_000, "100k_150k"), (149_999, "100k_150k"),
    (150_000, "150k_250k"), (249_999, "150k_250k"),
    (250_000, "250k_plus"), (250_001, "250k_plus"),
    (None, None),
])
def test_size_class_counts_the_lower_bound_in(inhabitants, expected):
    assert size_class(inhabitants) == expected


def test_every_size_class_and_urbanity_has_a_label(app):
    from koepel.platform.reference import SIZE_CLASS_LABELS, SIZE_CLASSES, URBANITY_LABELS

    with app.test_request_context(), force_locale("en"):
        assert [str(SIZE_CLASS_LABELS[key]) for key, _ in SIZE_CLASSES][0] == "fewer than 20,000 inhabitants"
        assert set(SIZE_CLASS_LABELS) == {key for key, _ in SIZE_CLASSES}
        assert sorted(URBANITY_LABELS) == [1, 2, 3, 4, 5]


# -- parsing -----------------------------------------------------------------------------

def test_a_faulty_file_is_refused_with_every_fault_by_line():
    text = HEADER + (
        "GM0503,Delft,105000,2\n"
        "GM503,Kort,1,1\n"
        "GM0503,Delft again,1,1\n"
        "GM0599,,1,1\n"
        "GM0014,Groningen,-4,1\n"
        "GM0034,Almere,226630,7\n"
        "GM0050,Zeewolde,23883\n"
    )
    with pytest.raises(ReferenceDataError) as caught:
        parse_municipalities(text)
    assert caught.value.errors == [
        "line 3: cbs_code must be GM followed by four digits, not 'GM503'",
        "line 4: cbs_code GM0503 is already on line 2",
        "line 5: name is empty",
        "line 6: inhabitants must be a whole number, not '-4'",
        "line 7: urbanity must be one of 1, 2, 3, 4, 5, not 7",
        "line 8: expected 4 columns, found 3",
    ]


@pytest.mark.parametrize("text", ["", "code,name\nGM0503,Delft\n", HEADER])
def test_a_file_without_municipalities_or_with_other_columns_is_refused(text):
    with pytest.raises(ReferenceDataError):
        parse_municipalities(text)


def test_empty_inhabitants_and_urbanity_mean_unknown():
    (row,) = parse_municipalities("\ufeff" + HEADER + "GM0503,Delft,,\n")
    assert (row.inhabitants, row.urbanity) == (None, None)


# -- koepel reference-load ---------------------------------------------------------------

@pytest.fixture
def cli_env(servers, tmp_path):
    return {
        "KOEPEL_ENV": "test",
        "DATABASE_URL": servers.database_url(TEST_DATABASE),
        "APP_DATABASE_URL": None,
        "UMBRELLA_DATABASE_URL": None,
        "REDIS_URL": servers.redis_url,
        "SECRET_KEY": "test-secret",
        "KOEPEL_QUEUE": "koepel-test-reference",
        "KOEPEL_INSTANCE_PATH": str(tmp_path / "instance"),
        "LOG_LEVEL": "WARNING",
    }


def reference_load(env, *args):
    return CliRunner().invoke(main, ["reference-load", *args], env=env)


def table(admin_dsn) -> list[tuple]:
    with psycopg.connect(admin_dsn) as conn:
        return conn.execute("SELECT * FROM reference_municipalities ORDER BY cbs_code").fetchall()


@pytest.fixture
def restore_shipped(cli_env, baseline):
    """Tests that load other figures put the shipped file back, whatever happens."""
    yield
    result = reference_load(cli_env)
    assert result.exit_code == 0, result.output


def test_loading_the_shipped_file_again_changes_nothing(cli_env, admin_dsn, baseline):
    before = table(admin_dsn)
    result = reference_load(cli_env)
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 342 unchanged, 0 in the table but not in the file (kept)" in result.output
    assert table(admin_dsn) == before


def test_a_file_updates_rows_once_and_feeds_the_peer_groups(cli_env, admin_dsn, db_session, tmp_path,
                                                            restore_shipped):
    lines = {row.cbs_code: row for row in shipped_municipalities()}
    urbanity = {"GM0106": 3, "GM0995": 3, "GM0114": 3, "GM0118": 4}  # Assen, Lelystad, Emmen, Hoogeveen
    path = tmp_path / "with-urbanity.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)  # quotes "Nuenen, Gerwen en Nederwetten"
        writer.writerow(["cbs_code", "name", "inhabitants", "urbanity"])
        for code, row in lines.items():
            writer.writerow([code, row.name, row.inhabitants or "", urbanity.get(code, "")])

    first = reference_load(cli_env, "--file", str(path))
    assert first.exit_code == 0, first.output
    assert "0 added, 4 updated, 338 unchanged" in first.output
    second = reference_load(cli_env, "--file", str(path))
    assert "0 added, 0 updated, 342 unchanged" in second.output

    # Assen (69,691, urbanity 3): Lelystad is alike; Emmen is larger, Hoogeveen less urban.
    assert [m.name for m in peers_of("GM0106")] == ["Lelystad"]
    assert [m.name for m in peers_of("GM0995")] == ["Assen"]
    assert peers_of("GM0114") == []  # no other 100-150k municipality of class 3 is known
    assert peers_of("GM0503") == []  # Delft: inhabitants and urbanity unknown
    assert peers_of("GM9999") == []


def test_a_faulty_file_is_refused_and_changes_nothing(cli_env, admin_dsn, tmp_path, baseline):
    before = table(admin_dsn)
    path = tmp_path / "faulty.csv"
    path.write_text(HEADER + "GM0503,Delft,105000,2\nGM0363,Amsterdam,lots,1\n", encoding="utf-8")
    result = reference_load(cli_env, "--file", str(path))
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)
    assert "the file was not loaded" in result.output
    assert "line 3: inhabitants must be a whole number, not 'lots'" in result.output
    assert table(admin_dsn) == before

    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00cbs")
    result = reference_load(cli_env, "--file", str(binary))
    assert result.exit_code != 0 and "is not UTF-8 text" in result.output
    assert table(admin_dsn) == before


def test_the_shipped_text_is_what_the_package_carries():
    assert shipped_text().startswith(HEADER)
