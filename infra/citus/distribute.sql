-- When one PostgreSQL server is no longer enough: distribute the tenant tables with Citus.
--
-- Why no rewrite is needed (DESIGN.md, "Tenancy and isolation"):
-- * Every tenant-owned table carries tenant_id, and its primary key (tenant_id, id),
--   its unique constraints and its foreign keys to other tenant tables all start with
--   tenant_id. Citus requires the distribution column in every primary key and unique
--   constraint: that already holds.
-- * All tenant tables are distributed by tenant_id into ONE colocation group: the rows
--   of one tenant, in every table, live in the same shard group on the same node. Joins
--   and foreign keys between tenant tables on tenant_id stay on one node, and a request,
--   which always works inside one tenant (the ORM guard adds tenant_id = :id to every
--   query), is routed to a single shard.
-- * Global tables without tenant_id (tenants, users) become reference tables: a full
--   copy on every node, so tenant tables join them and keep their foreign keys locally.
--   alembic_version stays an ordinary table on the coordinator.
--
-- Run on the Citus coordinator as a superuser, after infra/postgres/roles.sql (or
-- `koepel db init`) and `koepel db upgrade`, with the worker nodes added:
--
--   psql -X -d koepel -f infra/citus/distribute.sql
--
-- Before production traffic goes to the cluster, check these points; each is a known
-- difference from a single server:
-- 1. The tenant setting. The app sets app.tenant_id / app.user_id per transaction with
--    set_config(..., true). Citus runs shard queries over its own connections to the
--    workers and propagates only SET LOCAL statements, and only with
--    citus.propagate_set_commands = 'local'; a set_config() call is not propagated.
--    Where the policies are evaluated on a worker, "no setting" means "no rows". So
--    before switching, the guard must issue SET LOCAL (with the id as a validated
--    integer), and the app role gets:
--        ALTER ROLE koepel_app SET citus.propagate_set_commands = 'local';
--    Then run tests/isolation against the cluster.
-- 2. own_memberships (a person reads their own memberships in every tenant) filters on
--    user_id, not on the distribution column: it is a query over all shards. Fine at
--    this size; check that it still returns only the person's rows.
-- 3. audit_events has a row trigger that makes it append-only; Citus accepts triggers
--    on distributed tables only with citus.enable_unsafe_triggers (set below). The
--    trigger function only raises an error and reads no other table, which is the safe
--    kind. Check as koepel_app that inserts into audit_events work and updates fail.
-- 4. The roles of roles.sql must exist on every node (compare with
--    SELECT * FROM run_command_on_workers($$SELECT string_agg(rolname, ',' ORDER BY rolname)
--      FROM pg_roles WHERE rolname LIKE 'koepel%'$$);).
-- 5. Identity columns (the bigint id of every table) need Citus 11.2 or later.
-- 6. Every migration that adds a tenant table must add it here too (colocated with
--    memberships), and every new global table as a reference table.
--
-- On large tables, create_distributed_table_concurrently (Citus 11.2+) moves the data
-- without blocking writes; it cannot run inside a transaction block.

\set ON_ERROR_STOP on

CREATE EXTENSION IF NOT EXISTS citus;

-- Global tables: referenced by every tenant table, so they go first. -----------------
SELECT create_reference_table('tenants');
SELECT create_reference_table('users');

-- Tenant tables: one colocation group, anchored on memberships. ---------------------
SELECT create_distributed_table('memberships', 'tenant_id', colocate_with => 'none');

SET citus.enable_unsafe_triggers TO on;  -- for the append-only trigger (point 3)
SELECT create_distributed_table('audit_events', 'tenant_id', colocate_with => 'memberships');
RESET citus.enable_unsafe_triggers;

SELECT create_distributed_table('job_runs', 'tenant_id', colocate_with => 'memberships');

-- What it did: every tenant table in the same colocation group.
SELECT table_name, citus_table_type, distribution_column, colocation_id, shard_count
  FROM citus_tables
 ORDER BY citus_table_type, colocation_id, table_name;
