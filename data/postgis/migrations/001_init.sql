-- The whole schema of Strata on PostgreSQL with PostGIS (the extension
-- exists before this runs: see ensurePostGIS). Text that Strata sorts is
-- in the "C" collation, so that PostgreSQL orders it byte by byte, as Go
-- does, whatever the database's locale.

-- meta is one row: version is the data version (geo.Snapshot.Version),
-- which every write moves on; layers counts the writes to the layers
-- table, so that a snapshot reuses the layers it read while it holds.
CREATE TABLE meta (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL,
    layers  bigint NOT NULL
);
INSERT INTO meta (version, layers) VALUES (1, 1);

-- Layers: one row per OGC API collection. num is the compact key the
-- features use; id is the public name. Layer metadata has no history.
CREATE TABLE layers (
    num           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            text COLLATE "C" NOT NULL UNIQUE,
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    geometry_kind text NOT NULL,
    grp           text NOT NULL DEFAULT '',
    style         text NOT NULL DEFAULT '{}', -- JSON geo.Style
    attribution   text NOT NULL DEFAULT '',
    licence       text NOT NULL DEFAULT '',
    ord           bigint NOT NULL DEFAULT 0,
    -- last_pos is the largest pos given to a feature of the layer: a new
    -- feature gets the next.
    last_pos      bigint NOT NULL DEFAULT 0
);

-- Features: every row is one version of a feature, never changed once
-- written but for being closed. rec_from is the data version (the
-- changeset) that wrote it, rec_to the one that replaced or deleted it,
-- the largest bigint while it is current: a snapshot of version V reads
-- the rows with rec_from <= V < rec_to. ver numbers the versions of one
-- (layer, id) from 1; pos is the feature's place in its layer's stable
-- order. Valid time is Unix milliseconds, open ends the smallest and
-- largest bigint, as geo.Interval holds them. The bounding box columns
-- are the geometry's exact bounds (PostGIS keeps float4 boxes).
-- properties and sources are kept as given (jsonb would reorder keys);
-- json is the feature's GeoJSON as geo/geojson.AppendFeature writes it,
-- for items pages.
CREATE TABLE features (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    layer_num   bigint NOT NULL REFERENCES layers (num),
    pos         bigint NOT NULL,
    id          text COLLATE "C" NOT NULL,
    ver         integer NOT NULL CHECK (ver > 0),
    name        text NOT NULL DEFAULT '',
    kind        text NOT NULL DEFAULT '',
    geom        geometry(Geometry, 4326) NOT NULL,
    minx        double precision NOT NULL,
    miny        double precision NOT NULL,
    maxx        double precision NOT NULL,
    maxy        double precision NOT NULL,
    valid_from  bigint NOT NULL,
    valid_to    bigint NOT NULL,
    precision_m double precision NOT NULL,
    properties  text NOT NULL,
    sources     text NOT NULL,
    json        text NOT NULL,
    rec_from    bigint NOT NULL,
    rec_to      bigint NOT NULL DEFAULT 9223372036854775807,
    CHECK (valid_to > valid_from),
    CHECK (rec_to > rec_from)
);

-- One current version of an id in a layer; a feature's version at any
-- data version.
CREATE UNIQUE INDEX features_id ON features (layer_num, id, rec_to);
-- A feature's versions by number.
CREATE UNIQUE INDEX features_ver ON features (layer_num, id, ver);
-- The rows a changeset wrote.
CREATE INDEX features_from ON features (layer_num, rec_from);
-- The rows a changeset closed; with rec_to > V, the rows closed since
-- version V, which a snapshot of V still reads.
CREATE INDEX features_to ON features (layer_num, rec_to) WHERE rec_to < 9223372036854775807;
-- The current rows by layer, place and valid time at once, for queries
-- with a bbox or a date (items pages, tiles, histograms): an n-D GiST
-- index of a line from (minx, miny, valid_from, layer) to (maxx, maxy,
-- valid_to, layer), in days, searched with &&& (see query.matches, which
-- must write this expression exactly so). Its float boxes are rounded
-- outwards: queries test the exact columns and ST_Intersects after it.
CREATE INDEX features_st ON features USING gist ((ST_MakeLine(
        ST_MakePoint(minx, miny, valid_from::float8 / 86400000, layer_num::float8),
        ST_MakePoint(maxx, maxy, valid_to::float8 / 86400000, layer_num::float8))) gist_geometry_ops_nd)
    WHERE rec_to = 9223372036854775807;
-- The current rows in stable order, with what a query without a bbox
-- tests: pages, counts and histograms read this index alone.
CREATE INDEX features_pos ON features (layer_num, pos) INCLUDE (seq, valid_from, valid_to, rec_from)
    WHERE rec_to = 9223372036854775807;

-- One row per changeset: a write (Import or Commit) that produced data
-- version id. recorded_at is in Unix microseconds and strictly increases
-- with id. layers is a JSON array of the layer ids it changed, sorted;
-- the bounding box covers the old and new geometries it touched and is
-- NULL when it touched none.
CREATE TABLE changesets (
    id          bigint PRIMARY KEY,
    recorded_at bigint NOT NULL UNIQUE,
    author      text NOT NULL,
    comment     text NOT NULL DEFAULT '',
    layers      text NOT NULL DEFAULT '[]',
    created     integer NOT NULL DEFAULT 0,
    changed     integer NOT NULL DEFAULT 0,
    deleted     integer NOT NULL DEFAULT 0,
    minx        double precision,
    miny        double precision,
    maxx        double precision,
    maxy        double precision
);

-- Writers' credentials: only the SHA-256 of a secret. layers is a JSON
-- array of layer ids or "*"; times are Unix microseconds, expires and
-- revoked NULL for never and not yet. Revoked tokens stay, so that a
-- name, which becomes the author of writes, is never used twice.
CREATE TABLE tokens (
    name          text COLLATE "C" PRIMARY KEY,
    hash          bytea NOT NULL,
    layers        text NOT NULL,
    created       bigint NOT NULL,
    expires       bigint,
    revoked       bigint,
    unconditional boolean NOT NULL DEFAULT false
);

-- Briefings, kept whole as the JSON of geo.Briefing.
CREATE TABLE briefings (
    id   text COLLATE "C" PRIMARY KEY,
    body text NOT NULL
);
