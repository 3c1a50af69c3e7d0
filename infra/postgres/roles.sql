-- What `koepel db init` does (platform/db/roles.py), for a DBA who runs it by hand.
-- Keep the two in step.
--
-- Run as a superuser (only a superuser can give a role BYPASSRLS), e.g.:
--
--   psql -X -d postgres -v dbname=koepel \
--        -v app_password="$KOEPEL_APP_PASSWORD" \
--        -v umbrella_password="$KOEPEL_UMBRELLA_PASSWORD" \
--        -f infra/postgres/roles.sql
--
-- Variables (all optional):
--   dbname             the database, default koepel (the database of DATABASE_URL)
--   app_password       password of koepel_app      (the user of APP_DATABASE_URL)
--   umbrella_password  password of koepel_umbrella (the user of UMBRELLA_DATABASE_URL)
--   owner_password     password of koepel_owner; `koepel db init` never sets one. Set it
--                      only if DATABASE_URL is to log in as koepel_owner itself instead
--                      of a superuser (migrations `SET ROLE koepel_owner`, which the
--                      owner may always do).
-- A role whose password is not given keeps the password it has (or none).
-- Safe to run again: existing roles get the attributes again, an existing database is
-- kept, the grants are repeated.
--
-- The three roles:
--   koepel_owner     owns the database and every table; migrations act as it.
--   koepel_app       the web app and the workers; not superuser, no BYPASSRLS, owns
--                    nothing, so row-level security always applies to it.
--   koepel_umbrella  BYPASSRLS, for the umbrella's cross-tenant work, used only inside
--                    umbrella_scope(reason).

\set ON_ERROR_STOP on
\if :{?dbname}
\else
  \set dbname koepel
\endif

-- Roles ------------------------------------------------------------------------------

SELECT format('CREATE ROLE %I', r)
  FROM unnest(ARRAY['koepel_owner', 'koepel_app', 'koepel_umbrella']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)
\gexec

ALTER ROLE koepel_owner    LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
ALTER ROLE koepel_app      LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
ALTER ROLE koepel_umbrella LOGIN NOSUPERUSER BYPASSRLS   NOCREATEDB NOCREATEROLE;

\if :{?owner_password}
  ALTER ROLE koepel_owner PASSWORD :'owner_password';
\endif
\if :{?app_password}
  ALTER ROLE koepel_app PASSWORD :'app_password';
\endif
\if :{?umbrella_password}
  ALTER ROLE koepel_umbrella PASSWORD :'umbrella_password';
\endif

-- Database ---------------------------------------------------------------------------

SELECT format('CREATE DATABASE %I OWNER koepel_owner ENCODING %L TEMPLATE template0',
              :'dbname', 'UTF8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'dbname')
\gexec

-- Grants, inside the database ----------------------------------------------------------

\connect :"dbname"

REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"dbname" TO koepel_owner, koepel_app, koepel_umbrella;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO koepel_owner;
GRANT USAGE ON SCHEMA public TO koepel_app, koepel_umbrella;

-- Tables and sequences that migrations (as koepel_owner) create later are readable and
-- writable by the app and umbrella roles; row-level security then limits the rows.
-- (A migration may take privileges back, e.g. UPDATE/DELETE on audit_events from
-- koepel_app.)
ALTER DEFAULT PRIVILEGES FOR ROLE koepel_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO koepel_app, koepel_umbrella;
ALTER DEFAULT PRIVILEGES FOR ROLE koepel_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO koepel_app, koepel_umbrella;

-- Next: `koepel db upgrade` with DATABASE_URL set to a superuser (or to koepel_owner
-- when owner_password was given), then start the web app and the workers with
-- APP_DATABASE_URL / UMBRELLA_DATABASE_URL carrying the passwords set here.
