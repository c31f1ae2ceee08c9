//! Numbered, forward-only migrations. Never edit a released migration; add the next one.

use rusqlite_migration::{Migrations, M};

/// Migration 1: the Sozialbericht's catalogue, areas and observations. Every row carries the
/// revision that last changed it, so the server can answer "everything since R" with an index
/// range scan and the cache knows where it stands.
const M1_INITIAL: &str = "
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE area (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    population INTEGER,
    revision   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE indicator (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    short_name    TEXT NOT NULL,
    unit          TEXT NOT NULL,
    decimals      INTEGER NOT NULL,
    polarity      TEXT NOT NULL,
    handlungsfeld TEXT NOT NULL,
    definition    TEXT NOT NULL,
    source        TEXT NOT NULL,
    revision      INTEGER NOT NULL
) WITHOUT ROWID;

-- A cell holds a value or a gap marker, never both, never neither.
CREATE TABLE observation (
    indicator TEXT NOT NULL REFERENCES indicator(id),
    year      INTEGER NOT NULL,
    area      TEXT NOT NULL REFERENCES area(id),
    value     REAL,
    gap       TEXT,
    revision  INTEGER NOT NULL,
    PRIMARY KEY (indicator, year, area),
    CHECK ((value IS NULL) <> (gap IS NULL))
) WITHOUT ROWID;
CREATE INDEX observation_by_area ON observation(indicator, area, year);
CREATE INDEX observation_by_revision ON observation(revision);

-- Server side: deleted cells, so the feed can tell clients to drop them.
CREATE TABLE tombstone (
    indicator TEXT NOT NULL,
    year      INTEGER NOT NULL,
    area      TEXT NOT NULL,
    revision  INTEGER NOT NULL,
    PRIMARY KEY (indicator, year, area)
) WITHOUT ROWID;

CREATE TABLE revision_log (
    revision   INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL,
    label      TEXT NOT NULL
);
";

/// Migration 2: the full data model of issue 3. Indicators get numerator and denominator, areas
/// a parent (Gemeinde -> Amt); demography, finance and editorial content arrive. Content items
/// are stored as their JSON wire form: they are documents, read whole, and queried only by kind
/// and date.
const M2_FULL_MODEL: &str = "
ALTER TABLE indicator ADD COLUMN numerator TEXT NOT NULL DEFAULT '';
ALTER TABLE indicator ADD COLUMN denominator TEXT NOT NULL DEFAULT '';
ALTER TABLE area ADD COLUMN parent TEXT;

CREATE TABLE population (
    area     TEXT NOT NULL REFERENCES area(id),
    year     INTEGER NOT NULL,
    age_from INTEGER NOT NULL,
    sex      TEXT NOT NULL CHECK (sex IN ('female', 'male')),
    count    INTEGER NOT NULL CHECK (count >= 0),
    revision INTEGER NOT NULL,
    PRIMARY KEY (area, year, age_from, sex)
) WITHOUT ROWID;
CREATE INDEX population_by_revision ON population(revision);

CREATE TABLE spending (
    field    TEXT NOT NULL,
    year     INTEGER NOT NULL,
    euros    REAL NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (field, year)
) WITHOUT ROWID;

CREATE TABLE content (
    id       TEXT PRIMARY KEY,
    kind     TEXT NOT NULL,
    date     TEXT NOT NULL,
    item     TEXT NOT NULL,
    revision INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX content_by_kind ON content(kind, date);

-- Server side: withdrawn content, so the feed can tell clients to drop it.
CREATE TABLE content_tombstone (
    id       TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
) WITHOUT ROWID;

-- Media files present in this database's blob folder, by content hash: on the server the
-- published ones, in a cache the downloaded ones. Not part of the feed; content items name
-- their media.
CREATE TABLE blob (
    sha256 TEXT PRIMARY KEY,
    mime   TEXT NOT NULL,
    size   INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Migration 3: a deployment's configuration is data (issue 9). Areas carry their simplified
/// boundary and can be retired (a Gebietsreform keeps old values with the old area); indicators
/// carry the headline flag, their own minimum case count and their catalogue position; values
/// carry the statistical office's flag. The dataset's description grows
/// into the deployment's display settings and is kept as one JSON document in `meta`.
const M3_DEPLOYMENT: &str = "
ALTER TABLE area ADD COLUMN geometry TEXT;
ALTER TABLE area ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator ADD COLUMN headline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator ADD COLUMN min_cases INTEGER;
ALTER TABLE indicator ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE indicator ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
-- A statistical office's note on a value (provisional, revised, estimated, uncertain).
ALTER TABLE observation ADD COLUMN flag TEXT;

-- The Kreis's whole budget per year, so the Sozialausgaben can be shown as its share.
CREATE TABLE budget (
    year     INTEGER PRIMARY KEY,
    euros    REAL NOT NULL,
    revision INTEGER NOT NULL
);

INSERT INTO meta (key, value)
SELECT 'dataset', json_object('title', title.value, 'demo', json(CASE WHEN demo.value = '1' THEN 'true' ELSE 'false' END))
FROM meta AS title LEFT JOIN meta AS demo ON demo.key = 'dataset_demo'
WHERE title.key = 'dataset_title';
DELETE FROM meta WHERE key IN ('dataset_title', 'dataset_demo');
";

/// Migration 4: the explorer's indicator search finds other words for an indicator, and its
/// sources tab shows notes on the series (breaks, changed definitions). Synonyms are stored as
/// one text, separated by `|`.
const M4_SEARCH_AND_NOTES: &str = "
ALTER TABLE indicator ADD COLUMN synonyms TEXT NOT NULL DEFAULT '';
ALTER TABLE indicator ADD COLUMN notes TEXT NOT NULL DEFAULT '';
";

/// Migration 5: every revision carries a fingerprint, a hash chain over the revision log (each
/// fingerprint hashes the one before, the revision's number, time, label and a random nonce). A
/// server restored from a backup makes new revisions with the old numbers but other
/// fingerprints, so an app from the lost timeline notices and resyncs in full. Revisions from
/// before this migration keep an empty fingerprint.
const M5_REVISION_FINGERPRINT: &str = "
ALTER TABLE revision_log ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
";

/// Migration 6: one full-text index over indicators, areas and content (issue 13). It holds
/// derived text only and is rebuilt by `search::rebuild` in the transaction that changes what it
/// indexes; `title` and `body` keep the shown text, `folded_*` the text FTS5 searches
/// (`fokus_model::search::fold`).
const M6_SEARCH_INDEX: &str = "
CREATE VIRTUAL TABLE search USING fts5(
    kind UNINDEXED,
    id UNINDEXED,
    title UNINDEXED,
    body UNINDEXED,
    folded_title,
    folded_body,
    tokenize = 'unicode61 remove_diacritics 2'
);
";

/// Migration 7: the Demografie page's time view (issue 14). Population rows can be a projection
/// (Bevölkerungsvorausberechnung) instead of a count, and births, deaths and moves per area and
/// year arrive as their own table.
const M7_PROJECTION_AND_MOVEMENT: &str = "
ALTER TABLE population ADD COLUMN projection INTEGER NOT NULL DEFAULT 0;

CREATE TABLE movement (
    area      TEXT NOT NULL REFERENCES area(id),
    year      INTEGER NOT NULL,
    births    INTEGER NOT NULL CHECK (births >= 0),
    deaths    INTEGER NOT NULL CHECK (deaths >= 0),
    moved_in  INTEGER NOT NULL CHECK (moved_in >= 0),
    moved_out INTEGER NOT NULL CHECK (moved_out >= 0),
    revision  INTEGER NOT NULL,
    PRIMARY KEY (area, year)
) WITHOUT ROWID;
CREATE INDEX movement_by_revision ON movement(revision);
";

pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(M1_INITIAL),
        M::up(M2_FULL_MODEL),
        M::up(M3_DEPLOYMENT),
        M::up(M4_SEARCH_AND_NOTES),
        M::up(M5_REVISION_FINGERPRINT),
        M::up(M6_SEARCH_INDEX),
        M::up(M7_PROJECTION_AND_MOVEMENT),
    ])
}

/// The schema version this build writes; a database with a higher one came from a newer build.
pub const SCHEMA_VERSION: usize = 7;

#[cfg(test)]
mod tests {
    fn migrations_len() -> usize {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        conn.pragma_query_value(None, "user_version", |row| row.get::<_, usize>(0))
            .unwrap()
    }

    #[test]
    fn migration_3_keeps_the_dataset_description() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO meta VALUES ('dataset_title', 'Demodaten'), ('dataset_demo', '1');",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let json: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'dataset'", [], |row| {
                row.get(0)
            })
            .unwrap();
        let dataset: fokus_model::DatasetInfo = serde_json::from_str(&json).unwrap();
        assert_eq!(
            dataset,
            fokus_model::DatasetInfo::titled("Demodaten", true),
            "a cache written before deployments keeps its title and demo label"
        );
    }

    #[test]
    fn migrations_are_valid() {
        assert!(
            super::migrations().validate().is_ok(),
            "every migration applies to an empty database"
        );
        assert_eq!(
            migrations_len(),
            super::SCHEMA_VERSION,
            "SCHEMA_VERSION counts the migrations"
        );
    }
}
