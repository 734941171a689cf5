-- History (issue 12): every row already is one version of a feature
-- (005); this names the versions, records who wrote them and when, and
-- stores writers' tokens.
--
-- ver numbers the versions of one (layer, id) from 1, across deletes and
-- re-creations. Existing rows are numbered in the order they were
-- written. Rows from before 005 were written at no recorded version
-- (rec_from 0); they become the rows of version 1, the initial version,
-- which no write ever produced, so that the snapshot of version 0 is
-- empty, as before the first changeset.
UPDATE features SET rec_from = 1 WHERE rec_from = 0;
ALTER TABLE features ADD COLUMN ver INTEGER NOT NULL DEFAULT 0;
UPDATE features SET ver = v.n
    FROM (SELECT seq, row_number() OVER (PARTITION BY layer_num, id ORDER BY rec_from, seq) AS n FROM features) AS v
    WHERE features.seq = v.seq;

-- A feature's versions by number (History, FeatureVersion, the next
-- number to write).
CREATE UNIQUE INDEX features_ver ON features (layer_num, id, ver);
-- The rows a changeset wrote, and those written after an in-memory
-- index was built (its overlay, see overlay.go).
CREATE INDEX features_from ON features (layer_num, rec_from);
-- The rows a changeset closed, and those closed after an in-memory index
-- was built. Current rows are left out.
CREATE INDEX features_to ON features (layer_num, rec_to) WHERE rec_to < 9223372036854775807;

-- One row per changeset: a write (Import or Commit) that produced data
-- version id. recorded_at is in Unix microseconds and strictly increases
-- with id. layers is a JSON array of the layer ids it changed, sorted;
-- the bounding box covers the old and new geometries it touched and is
-- NULL when it touched none.
CREATE TABLE changesets (
    id          INTEGER PRIMARY KEY,
    recorded_at INTEGER NOT NULL UNIQUE,
    author      TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    layers      TEXT NOT NULL DEFAULT '[]',
    created     INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    minx        REAL,
    miny        REAL,
    maxx        REAL,
    maxy        REAL
);

-- The versions already written get one changeset each, recorded now (a
-- microsecond apart, in order), since when they were written is unknown.
-- A row written at version v created its id unless a row of that id was
-- closed at v (then it changed it); a row closed at v with no row of its
-- id written at v was deleted.
WITH touched (v, layer_num, minx, miny, maxx, maxy, created, changed, deleted) AS (
    SELECT f.rec_from, f.layer_num, f.minx, f.miny, f.maxx, f.maxy,
        NOT EXISTS (SELECT 1 FROM features g WHERE g.layer_num = f.layer_num AND g.id = f.id AND g.rec_to = f.rec_from),
        EXISTS (SELECT 1 FROM features g WHERE g.layer_num = f.layer_num AND g.id = f.id AND g.rec_to = f.rec_from),
        0
    FROM features f
    UNION ALL
    SELECT g.rec_to, g.layer_num, g.minx, g.miny, g.maxx, g.maxy, 0, 0,
        NOT EXISTS (SELECT 1 FROM features f WHERE f.layer_num = g.layer_num AND f.id = g.id AND f.rec_from = g.rec_to)
    FROM features g WHERE g.rec_to < 9223372036854775807
),
sets AS (
    SELECT t.v, json_group_array(DISTINCT l.id ORDER BY l.id) AS layers,
        sum(t.created) AS created, sum(t.changed) AS changed, sum(t.deleted) AS deleted,
        min(t.minx) AS minx, min(t.miny) AS miny, max(t.maxx) AS maxx, max(t.maxy) AS maxy
    FROM touched t JOIN layers l ON l.num = t.layer_num
    GROUP BY t.v
)
INSERT INTO changesets (id, recorded_at, author, comment, layers, created, changed, deleted, minx, miny, maxx, maxy)
SELECT v, CAST(unixepoch('subsec') * 1000000 AS INTEGER) - count(*) OVER () + row_number() OVER (ORDER BY v),
    'import', 'recorded before history was kept', layers, created, changed, deleted, minx, miny, maxx, maxy
FROM sets ORDER BY v;

-- Writers' credentials: only the SHA-256 of a secret is kept. layers is a
-- JSON array of layer ids or "*"; times are Unix microseconds, expires
-- and revoked NULL for never and not yet. Revoked tokens stay, so that a
-- name, which becomes the author of writes, is never used twice.
CREATE TABLE tokens (
    name    TEXT PRIMARY KEY,
    hash    BLOB NOT NULL,
    layers  TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER,
    revoked INTEGER
);
