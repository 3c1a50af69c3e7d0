"""`koepel db init`: the database and its three roles.

- owner: owns every table; migrations act as it.
- app: what the web app and workers connect as; not superuser, no BYPASSRLS, owns
  nothing, so row-level security always applies to it.
- umbrella: BYPASSRLS for the umbrella's cross-tenant work, used only inside
  `umbrella_scope(reason)`.
"""

from __future__ import annotations

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from koepel.platform.config import APP_ROLE, OWNER_ROLE, UMBRELLA_ROLE

ROLE_ATTRIBUTES = {
    OWNER_ROLE: "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
    APP_ROLE: "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
    UMBRELLA_ROLE: "LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE",
}


def _conninfo(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def init_database(admin_url: str, passwords: dict[str, str | None] | None = None) -> list[str]:
    """Create the roles, the database and the grants; safe to run again. Returns what it did."""
    passwords = passwords or {}
    done: list[str] = []
    database = make_url(admin_url).database
    with psycopg.connect(_conninfo(admin_url, "postgres"), autocommit=True) as conn:
        for role, attributes in ROLE_ATTRIBUTES.items():
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(sql.SQL(f"{verb} ROLE {{}} {attributes}").format(sql.Identifier(role)))
            if passwords.get(role):
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(passwords[role])
                    )
                )
            done.append(f"role {role} {'updated' if exists else 'created'}")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(database), sql.Identifier(OWNER_ROLE)
                )
            )
            done.append(f"database {database} created")
    grant_privileges(admin_url)
    done.append("privileges granted")
    return done


def grant_privileges(admin_url: str) -> None:
    database = make_url(admin_url).database
    ident = sql.Identifier
    owner, app, umbrella = ident(OWNER_ROLE), ident(APP_ROLE), ident(UMBRELLA_ROLE)
    statements = [
        sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(ident(database)),
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}, {}, {}").format(
            ident(database), owner, app, umbrella
        ),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(owner),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}, {}").format(app, umbrella),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}, {}"
        ).format(owner, app, umbrella),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {}, {}"
        ).format(owner, app, umbrella),
    ]
    with psycopg.connect(_conninfo(admin_url), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
