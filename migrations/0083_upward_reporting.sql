-- Upward reporting (上报, issue 18): every rating, and the rectification
-- result of every 差评 whose case is closed, goes up to the provincial
-- 好差评 platform as its national record, in signed batches sent through the
-- river outbox the notifications use (internal/upward).
--
-- Ingest order. A rating's created_at is the start of the transaction that
-- stored it (DEFAULT now(), never written by the writer), however old its
-- rated_at: a terminal replaying hours of offline ratings stores them with
-- today's created_at. A cursor on created_at therefore sees late ratings,
-- where one on rated_at would miss them. A BRIN index finds the new ones:
-- it is a few pages per partition and costs an insert almost nothing (no
-- new B-tree on the write path, issue 12), and since ratings are appended,
-- the newest created_at sit in the last block ranges of each partition.
-- autosummarize summarises each range as it fills; the last, partial range
-- of every partition stays unsummarised (VACUUM leaves it too) and is read
-- by every collection, so ranges are 16 pages rather than 128: 2 ms for a
-- window with 12 monthly partitions of 3 million ratings, where 128-page
-- ranges read 26 to 35 blocks of every partition (28 ms).
-- IF NOT EXISTS: at a province's scale it can be built beforehand without
-- holding the writes (docs/operations.md, "Upward reporting").
CREATE INDEX IF NOT EXISTS ratings_created_at ON ratings USING brin (created_at)
    WITH (pages_per_range = 16, autosummarize = on);

-- The rating cases closed, in closing order, for the rectification records.
CREATE INDEX rectification_cases_closed ON rectification_cases (closed_at, id)
    WHERE status = 'closed' AND source_kind = 'rating';

-- One durable cursor per kind of record: the ingest time (ratings'
-- created_at, cases' closed_at) and id of the last record put in a batch.
-- A cursor row is made on the first collection after reporting is
-- configured: records stored before are not sent (the export file covers
-- them).
CREATE TABLE upward_cursors (
    source      text PRIMARY KEY CHECK (source IN ('rating', 'rectification')),
    at          timestamptz NOT NULL,
    last_id     text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL
);

-- A batch of records to deliver, made in the transaction that advances its
-- cursor and enqueues its send job. It names its records by key (a
-- rating's id and rated_at, which find it through its partition's primary
-- key; for a rectification the case too), and the body is built at each
-- send. state as notification_deliveries: pending, sending (marked before
-- the send), sent, failed (a temporary failure, retried with back-off) and
-- given_up (the office may resend).
CREATE TABLE upward_batches (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       text NOT NULL CHECK (source IN ('rating', 'rectification')),
    rating_ids   uuid[] NOT NULL,
    rated_ats    timestamptz[] NOT NULL,
    case_ids     bigint[] NOT NULL DEFAULT '{}',
    records      integer NOT NULL CHECK (records > 0),
    first_at     timestamptz NOT NULL,
    last_at      timestamptz NOT NULL,
    state        text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'given_up')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    sent_at      timestamptz,
    CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CHECK (cardinality(rating_ids) = records AND cardinality(rated_ats) = records),
    CHECK (source = 'rating' OR cardinality(case_ids) = records)
);
-- The batches not yet sent, by state, for the office's page; the failures
-- newest first.
CREATE INDEX upward_batches_open ON upward_batches (state, id) WHERE state <> 'sent';
CREATE INDEX upward_batches_trouble ON upward_batches (updated_at DESC, id DESC)
    WHERE state IN ('failed', 'given_up');

-- Records delivered so far, per kind, counted when a batch is sent, so the
-- page need not sum every batch ever sent.
CREATE TABLE upward_totals (
    source   text PRIMARY KEY CHECK (source IN ('rating', 'rectification')),
    batches  bigint NOT NULL DEFAULT 0,
    records  bigint NOT NULL DEFAULT 0
);
INSERT INTO upward_totals (source) VALUES ('rating'), ('rectification');
