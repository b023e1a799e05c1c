-- The command service's write-side state (DESIGN.md §4): the quantities its invariants need,
-- maintained in the same transaction as the append of the events they follow from, so they can
-- never disagree with the log. They are not a second source of truth: each row is what folding
-- the aggregate's events gives. Cross-aggregate invariants (tenant quota against node capacity)
-- are checked under row locks on these tables. Runs as headwater_owner.

CREATE SCHEMA command;

-- One row per tenant aggregate: its status, quota and the resources its active allocations use.
-- Usage may exceed a quota that was lowered later: existing allocations keep running.
CREATE TABLE command.tenants (
    tenant_id        text   PRIMARY KEY,
    status           text   NOT NULL,
    quota_cpu_millis bigint NOT NULL,
    quota_memory_mib bigint NOT NULL,
    quota_gpus       bigint NOT NULL,
    used_cpu_millis  bigint NOT NULL DEFAULT 0,
    used_memory_mib  bigint NOT NULL DEFAULT 0,
    used_gpus        bigint NOT NULL DEFAULT 0,
    CONSTRAINT tenants_status_known CHECK (status IN ('active', 'suspended')),
    CONSTRAINT tenants_quota_not_negative
        CHECK (quota_cpu_millis >= 0 AND quota_memory_mib >= 0 AND quota_gpus >= 0),
    CONSTRAINT tenants_usage_not_negative
        CHECK (used_cpu_millis >= 0 AND used_memory_mib >= 0 AND used_gpus >= 0)
);

-- One row per node aggregate. The capacity check is the database's backstop: whatever the
-- scheduler does, a node is never committed beyond its capacity.
CREATE TABLE command.nodes (
    node_id             text   PRIMARY KEY,
    status              text   NOT NULL,
    capacity_cpu_millis bigint NOT NULL,
    capacity_memory_mib bigint NOT NULL,
    capacity_gpus       bigint NOT NULL,
    used_cpu_millis     bigint NOT NULL DEFAULT 0,
    used_memory_mib     bigint NOT NULL DEFAULT 0,
    used_gpus           bigint NOT NULL DEFAULT 0,
    CONSTRAINT nodes_status_known CHECK (status IN ('active', 'cordoned', 'removed')),
    CONSTRAINT nodes_usage_within_capacity CHECK (
        used_cpu_millis BETWEEN 0 AND capacity_cpu_millis
        AND used_memory_mib BETWEEN 0 AND capacity_memory_mib
        AND used_gpus BETWEEN 0 AND capacity_gpus)
);

-- The scheduler scans the schedulable nodes only.
CREATE INDEX nodes_schedulable_idx ON command.nodes (node_id) WHERE status = 'active';

-- One row per allocation aggregate: what it holds and where, until it is released.
CREATE TABLE command.allocations (
    allocation_id uuid    PRIMARY KEY,
    tenant_id     text    NOT NULL REFERENCES command.tenants (tenant_id),
    node_id       text    NOT NULL REFERENCES command.nodes (node_id),
    cpu_millis    bigint  NOT NULL,
    memory_mib    bigint  NOT NULL,
    gpus          bigint  NOT NULL,
    released      boolean NOT NULL DEFAULT false,
    CONSTRAINT allocations_resources_not_negative CHECK (cpu_millis >= 0 AND memory_mib >= 0 AND gpus >= 0)
);

-- "A node with active allocations cannot be removed" asks this index.
CREATE INDEX allocations_active_on_node_idx ON command.allocations (node_id) WHERE NOT released;

-- One row per API token: only the SHA-256 of the secret, never the secret. Platform-admin tokens
-- belong to the tenant 'platform'.
CREATE TABLE command.api_tokens (
    token_id   uuid    PRIMARY KEY,
    tenant_id  text    NOT NULL,
    role       text    NOT NULL,
    token_hash text    NOT NULL,
    revoked    boolean NOT NULL DEFAULT false,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT api_tokens_role_known CHECK (role IN ('platform-admin', 'tenant-admin', 'tenant-reader')),
    CONSTRAINT api_tokens_hash_is_sha256_hex CHECK (token_hash ~ '^[0-9a-f]{64}$')
);

-- Idempotency keys per caller scope (the caller's tenant, 'platform' for platform admins), with
-- the hash of the request and the response sent, written in the same transaction as the append.
-- Rows past expires_at no longer count and are deleted by the service's cleanup job.
CREATE TABLE command.idempotency_keys (
    scope              text        NOT NULL,
    idempotency_key    text        NOT NULL,
    request_hash       text        NOT NULL,
    response_status    int         NOT NULL,
    response_body      text        NOT NULL,
    consistency_token  text,
    location           text,
    created_at         timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, idempotency_key)
);

CREATE INDEX idempotency_keys_expiry_idx ON command.idempotency_keys (expires_at);

GRANT USAGE ON SCHEMA command TO headwater_app;
GRANT SELECT, INSERT, UPDATE ON command.tenants, command.nodes, command.allocations, command.api_tokens
    TO headwater_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON command.idempotency_keys TO headwater_app;
