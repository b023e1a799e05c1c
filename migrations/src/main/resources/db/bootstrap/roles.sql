-- Cluster-level bootstrap, run by a superuser before the first migration (`migrator init`).
-- Roles are global to a Postgres cluster, so this is not a Flyway migration: it is idempotent
-- and safe to run against a cluster that already hosts other Headwater databases.
-- Passwords are never written here: the migrator sets them from configuration afterwards.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'headwater_owner') THEN
        CREATE ROLE headwater_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'headwater_app') THEN
        CREATE ROLE headwater_app LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'headwater_cdc') THEN
        CREATE ROLE headwater_cdc LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'headwater_projector') THEN
        CREATE ROLE headwater_projector LOGIN;
    END IF;
END
$$;

-- Logical replication needs the REPLICATION attribute, which only a superuser may grant.
ALTER ROLE headwater_cdc REPLICATION;
