-- Rebuilds fill a shadow table first and index it after (docs/adr/0035). prepare_shadow now gives
-- a shadow table only its primary key and unique constraints (what upserts and lookups during the
-- replay need, and what keeps rows unique); index_shadow builds the other indexes of the live
-- table in one sorted pass each, once the log replay is done, instead of one index insert per row
-- and index during the replay. swap_shadow builds any that are still missing, so no table goes live
-- without the live table's indexes. Names stay those of the live table (the schemas differ).

CREATE OR REPLACE FUNCTION projection.prepare_shadow(p_projection text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t text;
    g record;
    con record;
    i record;
    n int := 0;
BEGIN
    FOR t IN SELECT table_name FROM projection.view_tables WHERE projection = p_projection ORDER BY table_name LOOP
        EXECUTE format('DROP TABLE IF EXISTS projection_shadow.%I', t);
        EXECUTE format('CREATE TABLE projection_shadow.%I (LIKE projection.%I INCLUDING ALL EXCLUDING INDEXES)', t, t);
        -- Primary key and unique constraints at once, under the live table's names.
        FOR con IN
            SELECT conname, pg_get_constraintdef(oid) AS def
              FROM pg_constraint
             WHERE conrelid = format('projection.%I', t)::regclass AND contype IN ('p', 'u')
             ORDER BY contype, conname
        LOOP
            EXECUTE format('ALTER TABLE projection_shadow.%I ADD CONSTRAINT %I %s', t, con.conname, con.def);
        END LOOP;
        -- Unique indexes that back no constraint keep rows unique too: also at once.
        FOR i IN
            SELECT ic.relname AS name, substring(pg_get_indexdef(x.indexrelid) FROM ' USING .*$') AS body
              FROM pg_index x
              JOIN pg_class ic ON ic.oid = x.indexrelid
             WHERE x.indrelid = format('projection.%I', t)::regclass AND x.indisunique
               AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = x.indexrelid)
        LOOP
            EXECUTE format('CREATE UNIQUE INDEX %I ON projection_shadow.%I %s', i.name, t, i.body);
        END LOOP;
        -- The live table's grants, so whoever may read or write it today still may after the swap.
        FOR g IN
            SELECT a.privilege_type, a.grantee
              FROM pg_class c, aclexplode(c.relacl) a
             WHERE c.oid = format('projection.%I', t)::regclass
               AND a.grantee <> c.relowner
        LOOP
            EXECUTE format('GRANT %s ON projection_shadow.%I TO %s', g.privilege_type, t,
                           CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END);
        END LOOP;
        n := n + 1;
    END LOOP;
    IF n = 0 THEN
        RAISE EXCEPTION 'projection % has no tables registered in projection.view_tables', p_projection;
    END IF;
END
$$;

-- Builds the live tables' non-unique indexes on the shadow tables, where still missing.
CREATE FUNCTION projection.index_shadow(p_projection text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t text;
    i record;
BEGIN
    FOR t IN SELECT table_name FROM projection.view_tables WHERE projection = p_projection ORDER BY table_name LOOP
        IF to_regclass(format('projection_shadow.%I', t)) IS NULL THEN
            RAISE EXCEPTION 'no shadow table projection_shadow.% to index', t;
        END IF;
        FOR i IN
            SELECT ic.relname AS name, substring(pg_get_indexdef(x.indexrelid) FROM ' USING .*$') AS body
              FROM pg_index x
              JOIN pg_class ic ON ic.oid = x.indexrelid
             WHERE x.indrelid = format('projection.%I', t)::regclass AND NOT x.indisunique
             ORDER BY ic.relname
        LOOP
            EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON projection_shadow.%I %s', i.name, t, i.body);
        END LOOP;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION projection.swap_shadow(p_projection text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    t text;
    n int := 0;
BEGIN
    FOR t IN SELECT table_name FROM projection.view_tables WHERE projection = p_projection ORDER BY table_name LOOP
        IF to_regclass(format('projection_shadow.%I', t)) IS NULL THEN
            RAISE EXCEPTION 'no shadow table projection_shadow.% to swap in', t;
        END IF;
        n := n + 1;
    END LOOP;
    IF n = 0 THEN
        RAISE EXCEPTION 'projection % has no tables registered in projection.view_tables', p_projection;
    END IF;
    -- Normally a no-op: the rebuild indexed the shadow after its replay.
    PERFORM projection.index_shadow(p_projection);
    FOR t IN SELECT table_name FROM projection.view_tables WHERE projection = p_projection ORDER BY table_name LOOP
        -- Fresh statistics before the first query plans against the new table.
        EXECUTE format('ANALYZE projection_shadow.%I', t);
        EXECUTE format('DROP TABLE projection.%I', t);
        EXECUTE format('ALTER TABLE projection_shadow.%I SET SCHEMA projection', t);
    END LOOP;
END
$$;

REVOKE EXECUTE ON FUNCTION projection.index_shadow(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection.index_shadow(text) TO headwater_projector;
