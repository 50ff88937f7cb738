-- sessionkit MySQL / MariaDB layout, version 1 (MySQL 8.0+, MariaDB 10.6+, InnoDB).
--
-- The store runs this script itself on first use (option createSchema=true, the default), in
-- the database its URI names. To manage the tables yourself (Flyway, Liquibase, a DBA), run it
-- with the placeholder replaced and open the store with createSchema=false:
--   ${prefix}  the prefix of every table, index and constraint name: [A-Za-z_][A-Za-z0-9_]*
--              or empty (default: sessionkit_)
-- Flyway and Liquibase substitute ${...} placeholders natively. Statements end with ";" at the
-- end of a line; the database must exist (CREATE DATABASE is not part of the script).
--
-- Why these types (every value must round-trip exactly, see PRODUCT.md):
-- * Ids are VARBINARY holding their UTF-8 bytes, not VARCHAR: every character collation of
--   the server is wrong for ids. The default utf8mb4_general_ci makes 'A' = 'a' (two sessions
--   would share a row), and even utf8mb4_bin is a PAD SPACE collation ('x' = 'x ', and the
--   primary key rejects the second id). Binary comparison is exact and is the order of UTF-8
--   bytes, which is Unicode code-point order, the listing order of every sessionkit store.
--   256 code points of at most 4 bytes each fit in 1024 bytes, within InnoDB's 3072-byte key.
-- * Timestamps are whole epoch seconds plus a nanosecond part: DATETIME(6) and TIMESTAMP(6)
--   keep only microseconds (TIMESTAMP also ends in 2038), and a single BIGINT of nanoseconds
--   can't hold the years 0000-9999.
--   To read one: FROM_UNIXTIME(updated_seconds) (for years 1970-2038 on MySQL), + updated_nanos.
-- * State and messages are the JSON bytes of the sessionkit codec (UTF-8) in LONGBLOB, not the
--   JSON type: MySQL's JSON type rewrites what it stores (it normalises numbers, 1E2 and 100.0
--   come back different; reorders keys, drops duplicate keys), and MariaDB's is LONGTEXT under
--   a character set that may reject or convert bytes. LONGBLOB because one message may be as
--   large as the codec's document limit (256 MiB by default); a BLOB (64 KiB) or MEDIUMBLOB
--   (16 MiB) would cut large images. To read them as JSON: CONVERT(state USING utf8mb4).
-- * The listing order is updated-at descending, then id ascending. MariaDB before 10.8 ignores
--   DESC in index definitions, so the index holds the negated instant (two virtual columns,
--   computed by the server from updated_*): then an ascending index scan is the listing order
--   on every supported server, and a page is one range scan of that index.
-- * revision is what the store wrote last: an opaque ASCII value made of a random nonce of the
--   store instance that wrote it and that instance's write counter, so that it is never reused
--   for an id, not after a delete and re-create, not after a failover to a replica that lost
--   the last writes (no server counter is involved).
-- * write_log holds the idempotency keys of the session's last 16 keyed writes with the
--   revision each produced (at most 16 x 93 ASCII bytes), written in the same transaction as
--   the session.
-- * written_at is the time of the last write by the writing store's clock, in milliseconds
--   since the epoch: retention (option retention=P30D) counts from it, not from updated_at,
--   which an import may set far in the past.

-- One row per session: the summary fields, the state, the revision, the write log.
CREATE TABLE IF NOT EXISTS `${prefix}sessions` (
    id                   VARBINARY(1024) NOT NULL,
    revision             VARBINARY(64)   NOT NULL,
    created_seconds      BIGINT          NOT NULL,
    created_nanos        INT             NOT NULL,
    updated_seconds      BIGINT          NOT NULL,
    updated_nanos        INT             NOT NULL,
    -- Maintained by the server, never written: the listing order as ascending values.
    newest_first_seconds BIGINT AS (-updated_seconds) VIRTUAL,
    newest_first_nanos   INT    AS (-updated_nanos) VIRTUAL,
    -- The number of rows of this session in the messages table (positions 0..count-1).
    message_count        INT             NOT NULL,
    -- SessionCodec.encodeState: cwd, token usage, event count, custom metadata.
    state                LONGBLOB        NOT NULL,
    write_log            VARBINARY(4096) NOT NULL,
    written_at           BIGINT          NOT NULL,
    PRIMARY KEY (id),
    -- A listing page is a range scan of this index, continued from the last row of the
    -- previous page (keyset). Id-prefix filters are a range of the primary key.
    KEY `${prefix}sessions_by_updated` (newest_first_seconds, newest_first_nanos, id),
    -- Retention sweeps take the oldest writes first.
    KEY `${prefix}sessions_by_written` (written_at),
    CONSTRAINT `${prefix}sessions_created_nanos` CHECK (created_nanos BETWEEN 0 AND 999999999),
    CONSTRAINT `${prefix}sessions_updated_nanos` CHECK (updated_nanos BETWEEN 0 AND 999999999),
    CONSTRAINT `${prefix}sessions_message_count` CHECK (message_count >= 0)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;

-- One row per message, so that appending a turn inserts only the new rows. No foreign key:
-- every write locks the session's row first and changes its messages only while it holds that
-- lock, and a per-row foreign-key check would cost every insert a lookup.
CREATE TABLE IF NOT EXISTS `${prefix}messages` (
    session_id VARBINARY(1024) NOT NULL,
    position   INT             NOT NULL,
    -- SessionCodec.encodeMessage: one message of the neuron format.
    body       LONGBLOB        NOT NULL,
    PRIMARY KEY (session_id, position),
    CONSTRAINT `${prefix}messages_position` CHECK (position >= 0)
) ENGINE = InnoDB ROW_FORMAT = DYNAMIC;

-- The layout version. A store refuses tables whose highest version is newer than it knows.
CREATE TABLE IF NOT EXISTS `${prefix}schema_version` (
    version     INT          NOT NULL,
    description VARCHAR(200) CHARACTER SET ascii NOT NULL,
    installed   TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (version)
) ENGINE = InnoDB;

INSERT IGNORE INTO `${prefix}schema_version` (version, description)
    VALUES (1, 'sessions and messages, revision, write log, written_at');
