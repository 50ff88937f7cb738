-- sessionkit PostgreSQL layout, version 2.
--
-- The store runs this script itself on first use (option createSchema=true, the default).
-- To manage the schema yourself (Flyway, Liquibase, a DBA), run it with the two placeholders
-- replaced and open the store with createSchema=false:
--   ${schema}  the schema, a plain identifier [A-Za-z_][A-Za-z0-9_]* (default: sessionkit)
--   ${prefix}  a prefix for every object name, the same kind of identifier or empty (default)
-- Flyway and Liquibase substitute ${...} placeholders natively. The schema must exist (the
-- store creates it only when it runs the script itself).
--
-- Layout 1 (a pre-release) is not migrated: a store refuses tables of any other version.
--
-- Why these types (every value must round-trip exactly, see PRODUCT.md):
-- * Timestamps of the session are whole epoch seconds plus a nanosecond part: timestamptz
--   keeps only microseconds, and a single bigint of nanoseconds can't hold the years 0000-9999.
--   To read one: to_timestamp(updated_seconds) + updated_nanos / 1000 * interval '1 microsecond'.
-- * State and messages are the JSON bytes of the sessionkit codec (UTF-8) in bytea, not jsonb:
--   jsonb rewrites number forms (1E2 becomes 100), reorders and de-duplicates keys and refuses
--   \u0000; json would re-parse every write on the server. To read them as JSON:
--   convert_from(state, 'UTF8')::json.
-- * Ids compare in code-point order (COLLATE "C"), the listing order of every store.

-- One row per session: the summary fields, the state, the revision and the write log.
CREATE TABLE "${schema}"."${prefix}sessions" (
    id              text COLLATE "C" NOT NULL,
    -- The revision is the pair (revision, revision_nonce), shown as "<revision>-<nonce in hex>".
    -- revision is drawn from one sequence on every write, so that it is never reused for an id
    -- on one server, not even after a delete and a re-create (no ABA for conditional writes).
    -- revision_nonce is drawn at random by the writing store for every write: a replica
    -- promoted after a failover can hand out again sequence values of writes it never
    -- received, but not with the same nonce.
    revision        bigint  NOT NULL,
    revision_nonce  bigint  NOT NULL,
    created_seconds bigint  NOT NULL,
    created_nanos   integer NOT NULL,
    updated_seconds bigint  NOT NULL,
    updated_nanos   integer NOT NULL,
    -- The number of rows of this session in the messages table (positions 0..count-1).
    message_count   integer NOT NULL,
    -- SessionCodec.encodeState: cwd, token usage, event count, custom metadata.
    state           bytea   NOT NULL,
    -- The idempotency keys of the session's last 16 keyed writes with the revisions they
    -- produced (WriteLog.encode(); empty when none), read and replaced in the transaction of
    -- each keyed write.
    write_log       text    NOT NULL DEFAULT '',
    -- When a store last wrote the session, by that store's clock (not the session's
    -- updated_at, which the caller sets). With the option retention=<duration> a session
    -- whose written_at is older than that is treated as absent, and removed by sweeps.
    written_at      timestamptz NOT NULL,
    CONSTRAINT "${prefix}sessions_pkey" PRIMARY KEY (id),
    CONSTRAINT "${prefix}sessions_created_nanos" CHECK (created_nanos BETWEEN 0 AND 999999999),
    CONSTRAINT "${prefix}sessions_updated_nanos" CHECK (updated_nanos BETWEEN 0 AND 999999999),
    CONSTRAINT "${prefix}sessions_message_count" CHECK (message_count >= 0)
);

-- The listing order (most recently updated first, then id in code-point order): a page is a
-- range scan of this index, continued from the last row of the previous page (keyset).
-- Id-prefix filters use the primary key (a range id >= prefix AND id < successor(prefix)).
CREATE INDEX "${prefix}sessions_by_updated"
    ON "${schema}"."${prefix}sessions" (updated_seconds DESC, updated_nanos DESC, id);

-- Retention sweeps find the oldest writes through this index.
CREATE INDEX "${prefix}sessions_by_written"
    ON "${schema}"."${prefix}sessions" (written_at);

-- One row per message, so that appending a turn inserts only the new rows. No foreign key:
-- the store changes a session's messages only while it holds (or has just inserted) that
-- session's row, and a per-row foreign-key check would double the cost of every insert.
CREATE TABLE "${schema}"."${prefix}messages" (
    session_id text COLLATE "C" NOT NULL,
    position   integer NOT NULL,
    -- SessionCodec.encodeMessage: one message of the neuron format.
    body       bytea   NOT NULL,
    CONSTRAINT "${prefix}messages_pkey" PRIMARY KEY (session_id, position),
    CONSTRAINT "${prefix}messages_position" CHECK (position >= 0)
);

CREATE SEQUENCE "${schema}"."${prefix}revisions" AS bigint;

ALTER TABLE "${schema}"."${prefix}sessions"
    ALTER COLUMN revision SET DEFAULT nextval('"${schema}"."${prefix}revisions"');

-- The layout version. A store refuses a schema whose version is not the one it knows.
CREATE TABLE "${schema}"."${prefix}schema_version" (
    version     integer     NOT NULL,
    description text        NOT NULL,
    installed   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "${prefix}schema_version_pkey" PRIMARY KEY (version)
);

INSERT INTO "${schema}"."${prefix}schema_version" (version, description)
    VALUES (2, 'sessions with revision nonce, write log and written_at; messages; revisions');
