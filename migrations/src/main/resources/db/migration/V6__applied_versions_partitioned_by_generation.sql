-- projection.applied_versions becomes a table partitioned by projection and then by generation:
-- one leaf table per (projection, generation) (docs/adr/0038). Generation numbers count per
-- projection, so a leaf is found under its projection's partition (LIST (projection)), which is
-- partitioned by LIST (generation). Columns, primary key and check are those of V4; lookups and
-- writes keep naming projection.applied_versions with both key columns, so Postgres prunes to the
-- one leaf.
--
-- Why: a rebuild's replay loads its applied versions (ADR 37) into a fresh leaf that has no index
-- yet, builds the primary key in one sorted pass, and attaches the leaf (Postgres takes the index
-- as the partition's, and ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on the parent, so live
-- batches keep writing their own leaf). A retired generation's versions go with DROP TABLE of its
-- leaf instead of a DELETE of every row. There is no default partition: it would take the rows of
-- a generation without a leaf silently, and every ATTACH would then have to scan it under an
-- exclusive lock; a write to a generation without a leaf fails instead.
--
-- The functions below are SECURITY DEFINER, as prepare_shadow and swap_shadow (V4): every table
-- stays owned by headwater_owner and headwater_projector never needs CREATE. They serialise on a
-- transaction-level advisory lock per projection (first key 0x48570003, beside GenerationStore's
-- 0x48570001 and 0x48570002).

-- Name of a projection's partition (p_generation NULL) or of one generation's leaf: readable, and
-- unique through a piece of the projection name's md5 (two names that slug alike stay apart).
CREATE FUNCTION projection.applied_versions_table(p_projection text, p_generation bigint) RETURNS text
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS
$$
SELECT 'applied_versions_'
       || left(lower(regexp_replace(p_projection, '[^A-Za-z0-9]+', '_', 'g')), 24) || '_'
       || left(md5(p_projection), 6)
       || CASE WHEN p_generation IS NULL THEN '' ELSE '_g' || p_generation END
$$;

-- The leaf of one generation if it is attached, else NULL.
CREATE FUNCTION projection.applied_versions_partition(p_projection text, p_generation bigint) RETURNS regclass
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS
$$
SELECT c.oid::regclass
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'projection'
   AND c.relname = projection.applied_versions_table(p_projection, p_generation)
   AND c.relispartition
$$;

-- The projection's partition (itself partitioned by generation), created and attached if missing.
-- Internal: called by the functions below, not granted.
CREATE FUNCTION projection.applied_versions_parent(p_projection text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    parent text := projection.applied_versions_table(p_projection, NULL);
    bound text;
BEGIN
    IF to_regclass(format('projection.%I', parent)) IS NULL THEN
        EXECUTE format('CREATE TABLE projection.%I (LIKE projection.applied_versions INCLUDING DEFAULTS'
                       ' INCLUDING CONSTRAINTS) PARTITION BY LIST (generation)', parent);
        EXECUTE format('ALTER TABLE projection.%I ADD CONSTRAINT %I'
                       ' PRIMARY KEY (projection, generation, aggregate_type, aggregate_id)', parent, parent || '_pkey');
        EXECUTE format('ALTER TABLE projection.applied_versions ATTACH PARTITION projection.%I FOR VALUES IN (%L)',
                       parent, p_projection);
        EXECUTE format('COMMENT ON TABLE projection.%I IS %L', parent,
                       'Applied versions of projection ' || p_projection || ', one partition per generation.');
    ELSE
        SELECT pg_get_expr(c.relpartbound, c.oid) INTO bound
          FROM pg_class c WHERE c.oid = format('projection.%I', parent)::regclass;
        IF bound IS DISTINCT FROM format('FOR VALUES IN (%L)', p_projection) THEN
            RAISE EXCEPTION 'projection.% exists but is not the applied-versions partition of projection %',
                parent, p_projection;
        END IF;
    END IF;
    RETURN parent;
END
$$;

-- Starts a bulk load of one generation's applied versions: creates its leaf as a plain table with
-- the partition's columns and checks but no index, which the caller fills with COPY in the same
-- transaction and then hands to attach_applied_versions. Fails (duplicate_table) if the generation
-- has a leaf already: the caller then writes through projection.applied_versions instead, or stops.
-- Returns the leaf's qualified name.
CREATE FUNCTION projection.begin_applied_versions_load(p_projection text, p_generation bigint) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    leaf text := projection.applied_versions_table(p_projection, p_generation);
BEGIN
    PERFORM pg_advisory_xact_lock(x'48570003'::int, hashtext(p_projection));
    PERFORM projection.applied_versions_parent(p_projection);
    IF to_regclass(format('projection.%I', leaf)) IS NOT NULL THEN
        RAISE EXCEPTION 'generation % of projection % already has its applied-versions table projection.%',
            p_generation, p_projection, leaf USING ERRCODE = 'duplicate_table';
    END IF;
    EXECUTE format('CREATE TABLE projection.%I (LIKE projection.applied_versions INCLUDING DEFAULTS'
                   ' INCLUDING CONSTRAINTS) WITH (fillfactor = 80)', leaf);
    -- Implies the partition constraint, so ATTACH PARTITION need not scan the rows to prove it.
    EXECUTE format('ALTER TABLE projection.%I ADD CONSTRAINT %I CHECK (projection = %L AND generation = %s)',
                   leaf, leaf || '_bound', p_projection, p_generation);
    EXECUTE format('GRANT INSERT ON projection.%I TO headwater_projector', leaf);
    RETURN format('projection.%I', leaf);
END
$$;

-- Ends a bulk load: builds the primary key in one sorted pass and attaches the leaf as the
-- generation's partition (Postgres takes that index as the partition's). A duplicate key fails
-- here with a unique violation, as a COPY into the indexed table would have.
CREATE FUNCTION projection.attach_applied_versions(p_projection text, p_generation bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    leaf text := projection.applied_versions_table(p_projection, p_generation);
    parent text := projection.applied_versions_table(p_projection, NULL);
BEGIN
    PERFORM pg_advisory_xact_lock(x'48570003'::int, hashtext(p_projection));
    IF to_regclass(format('projection.%I', leaf)) IS NULL THEN
        RAISE EXCEPTION 'no applied-versions table projection.% to attach', leaf;
    END IF;
    IF projection.applied_versions_partition(p_projection, p_generation) IS NOT NULL THEN
        RAISE EXCEPTION 'projection.% is attached already', leaf USING ERRCODE = 'duplicate_table';
    END IF;
    EXECUTE format('ALTER TABLE projection.%I ADD CONSTRAINT %I'
                   ' PRIMARY KEY (projection, generation, aggregate_type, aggregate_id)', leaf, leaf || '_pkey');
    EXECUTE format('ALTER TABLE projection.%I ATTACH PARTITION projection.%I FOR VALUES IN (%s)',
                   parent, leaf, p_generation);
END
$$;

-- Gives a generation an empty leaf unless it has one: for a live generation's first start.
CREATE FUNCTION projection.ensure_applied_versions(p_projection text, p_generation bigint) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    IF projection.applied_versions_partition(p_projection, p_generation) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(x'48570003'::int, hashtext(p_projection));
    -- Another transaction may have attached it while this one waited for the lock.
    IF projection.applied_versions_partition(p_projection, p_generation) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM projection.begin_applied_versions_load(p_projection, p_generation);
    PERFORM projection.attach_applied_versions(p_projection, p_generation);
END
$$;

-- Drops the leaves of the projection's generations that are retired, failed or abandoned (their
-- applied versions are of no further use); returns how many went. DROP TABLE of a partition takes
-- an exclusive lock on the projection's partition, so that projection's batches wait for the
-- catalog change (not for a DELETE of every row, as before); lock_timeout bounds that wait, and
-- a leaf left behind goes at the next call (RebuildJob calls it after every swap, failure and claim).
CREATE FUNCTION projection.drop_retired_applied_versions(p_projection text) RETURNS int
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '5s' AS
$$
DECLARE
    g bigint;
    leaf text;
    n int := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(x'48570003'::int, hashtext(p_projection));
    FOR g IN
        SELECT generation FROM projection.generations
         WHERE projection = p_projection AND state IN ('retired', 'failed', 'abandoned')
         ORDER BY generation
    LOOP
        leaf := projection.applied_versions_table(p_projection, g);
        IF to_regclass(format('projection.%I', leaf)) IS NOT NULL THEN
            EXECUTE format('DROP TABLE projection.%I', leaf);
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The table itself: V4's table renamed away, the partitioned one created under its name with the
-- same columns, key, check, comment and grants, and every generation's rows moved into its leaf.
-- ---------------------------------------------------------------------------------------------

ALTER TABLE projection.applied_versions RENAME TO applied_versions_v4;
ALTER TABLE projection.applied_versions_v4 RENAME CONSTRAINT applied_versions_pkey TO applied_versions_v4_pkey;
ALTER TABLE projection.applied_versions_v4
    RENAME CONSTRAINT applied_versions_version_positive TO applied_versions_v4_version_positive;

CREATE TABLE projection.applied_versions (
    projection     text   NOT NULL,
    generation     bigint NOT NULL,
    aggregate_type text   NOT NULL,
    aggregate_id   text   NOT NULL,
    version        bigint NOT NULL,
    CONSTRAINT applied_versions_pkey PRIMARY KEY (projection, generation, aggregate_type, aggregate_id),
    CONSTRAINT applied_versions_version_positive CHECK (version >= 1)
) PARTITION BY LIST (projection);

COMMENT ON TABLE projection.applied_versions IS
    'Highest aggregate version each projection has applied: the dedupe key of exactly-once effects. '
    'Partitioned by projection, then by generation (one leaf per generation, docs/adr/0038).';

DO
$$
DECLARE
    g record;
    k record;
BEGIN
    FOR g IN
        SELECT a.privilege_type, a.grantee
          FROM pg_class c, aclexplode(c.relacl) a
         WHERE c.oid = 'projection.applied_versions_v4'::regclass
           AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT %s ON projection.applied_versions TO %s', g.privilege_type,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END);
    END LOOP;
    -- Every generation with rows, and every live or building one (so its next write finds a leaf).
    FOR k IN
        SELECT DISTINCT projection, generation FROM projection.applied_versions_v4
        UNION
        SELECT projection, generation FROM projection.generations WHERE state IN ('live', 'building')
        ORDER BY 1, 2
    LOOP
        EXECUTE format('INSERT INTO %s SELECT * FROM projection.applied_versions_v4'
                       ' WHERE projection = $1 AND generation = $2 ORDER BY aggregate_type, aggregate_id',
                       projection.begin_applied_versions_load(k.projection, k.generation))
            USING k.projection, k.generation;
        PERFORM projection.attach_applied_versions(k.projection, k.generation);
    END LOOP;
END
$$;

DROP TABLE projection.applied_versions_v4;

REVOKE EXECUTE ON FUNCTION projection.applied_versions_parent(text),
    projection.begin_applied_versions_load(text, bigint), projection.attach_applied_versions(text, bigint),
    projection.ensure_applied_versions(text, bigint), projection.drop_retired_applied_versions(text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection.begin_applied_versions_load(text, bigint),
    projection.attach_applied_versions(text, bigint), projection.ensure_applied_versions(text, bigint),
    projection.drop_retired_applied_versions(text) TO headwater_projector;
