-- Layers: one row per OGC API collection. num is the compact key that
-- features and the spatial index use; id is the public name.
CREATE TABLE layers (
    num           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    geometry_kind TEXT NOT NULL,
    grp           TEXT NOT NULL DEFAULT '',
    style         TEXT NOT NULL DEFAULT '{}', -- JSON geo.Style
    attribution   TEXT NOT NULL DEFAULT '',
    licence       TEXT NOT NULL DEFAULT '',
    ord           INTEGER NOT NULL DEFAULT 0
);

-- Features. seq is the stable order used for paging. The bounding box
-- columns are exact (the R*Tree below stores 32-bit floats), so queries
-- check them after the index. Time bounds are Unix milliseconds, with
-- the minimum and maximum 64-bit integers for open ends, so an overlap
-- test is two integer comparisons.
CREATE TABLE features (
    seq         INTEGER PRIMARY KEY,
    layer_num   INTEGER NOT NULL REFERENCES layers(num) ON DELETE CASCADE,
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
    UNIQUE (layer_num, id),
    CHECK (valid_to > valid_from)
);

-- Queries without a bbox walk this index by layer and start time.
CREATE INDEX features_valid ON features (layer_num, valid_from, valid_to);

-- The spatial-temporal index: longitude, latitude, valid time in days
-- since 1970 and the layer number, so that one R*Tree search narrows by
-- layer, place and time together.
CREATE VIRTUAL TABLE features_index USING rtree (
    seq,
    minx, maxx,
    miny, maxy,
    mint, maxt,
    minl, maxl
);

CREATE TRIGGER features_index_insert AFTER INSERT ON features BEGIN
    INSERT INTO features_index VALUES (
        new.seq, new.minx, new.maxx, new.miny, new.maxy,
        new.valid_from / 86400000.0, new.valid_to / 86400000.0,
        new.layer_num, new.layer_num);
END;

CREATE TRIGGER features_index_delete AFTER DELETE ON features BEGIN
    DELETE FROM features_index WHERE seq = old.seq;
END;

-- version changes with every write, for caches and ETags.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('version', 1);
