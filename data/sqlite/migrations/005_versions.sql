-- Every row is one version of a feature, never changed once written but
-- for being closed: rec_from is the data version (meta.version) that
-- wrote it, rec_to the one that replaced or removed it, the largest
-- 64-bit integer while it is current. A reader of version V sees the rows
-- with rec_from <= V < rec_to, so a page read in batches while an import
-- replaces the layer still comes whole from the version it started at.
-- seq is AUTOINCREMENT: a seq names one row for ever.
--
-- SQLite cannot change a table's constraints in place: the table is made
-- anew and its rows copied.
CREATE TABLE features_v5 (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    layer_num   INTEGER NOT NULL REFERENCES layers(num) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,           -- the layer's stable order
    id          TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL DEFAULT '',
    geom        BLOB NOT NULL,              -- WKB
    minx        REAL NOT NULL,
    miny        REAL NOT NULL,
    maxx        REAL NOT NULL,
    maxy        REAL NOT NULL,
    valid_from  INTEGER NOT NULL,
    valid_to    INTEGER NOT NULL,
    precision_m REAL NOT NULL,
    properties  TEXT NOT NULL DEFAULT '{}', -- JSON object
    sources     TEXT NOT NULL DEFAULT '[]', -- JSON array of geo.Source
    rec_from    INTEGER NOT NULL DEFAULT 0,
    rec_to      INTEGER NOT NULL DEFAULT 9223372036854775807,
    CHECK (valid_to > valid_from),
    CHECK (rec_to > rec_from)
);
INSERT INTO features_v5 (seq, layer_num, pos, id, name, kind, geom, minx, miny, maxx, maxy,
        valid_from, valid_to, precision_m, properties, sources)
    SELECT seq, layer_num, pos, id, name, kind, geom, minx, miny, maxx, maxy,
        valid_from, valid_to, precision_m, properties, sources
    FROM features;
DROP TABLE features;
ALTER TABLE features_v5 RENAME TO features;

-- One current version of an id in a layer (rec_to is the largest integer
-- for it, a distinct version number for every closed one); the same index
-- finds a feature's version at any data version.
CREATE UNIQUE INDEX features_id ON features (layer_num, id, rec_to);

-- A layer's bounds, valid times and record times in its stable order,
-- read without touching the rows: the in-memory index is built from it,
-- and queries scan it while that index is being built.
CREATE INDEX features_bounds ON features (layer_num, pos, minx, miny, maxx, maxy, valid_from, valid_to, rec_from, rec_to);
