-- postgis-peers.sql: indexes and the tile function of the shared/bench
-- workload for the PostGIS servers Strata is compared with (pg_featureserv,
-- pg_tileserv), run by bench/postgis.sh once the GeoJSON files are loaded
-- into peers.points, peers.polygons and peers.lines (ogr2ogr: columns fid,
-- geom geometry(...,4326), id, name, kind, valid_from date, valid_to date;
-- valid_to NULL when open-ended).
--
-- A feature is valid on date d when valid_from <= d < valid_to, an open
-- end matching any date: Strata's reading of datetime=d (a date is its
-- whole UTC day; valid_to is exclusive).

\set ON_ERROR_STOP on

CREATE INDEX IF NOT EXISTS points_geom_idx ON peers.points USING gist (geom);
CREATE INDEX IF NOT EXISTS polygons_geom_idx ON peers.polygons USING gist (geom);
CREATE INDEX IF NOT EXISTS lines_geom_idx ON peers.lines USING gist (geom);
CREATE INDEX IF NOT EXISTS points_valid_idx ON peers.points (valid_from, valid_to);
CREATE INDEX IF NOT EXISTS polygons_valid_idx ON peers.polygons (valid_from, valid_to);
CREATE INDEX IF NOT EXISTS lines_valid_idx ON peers.lines (valid_from, valid_to);

-- tile: one Mapbox Vector Tile holding the three layers (points, polygons,
-- lines) valid on datetime, in one query, for pg_tileserv's function
-- layers (/peers.tile/{z}/{x}/{y}.pbf?datetime=YYYY-MM-DD). Like Strata's
-- tiles: extent 4096, a 64-unit buffer, the properties id, name, kind,
-- valid_from and valid_to (as text; an open end left out). Unlike them,
-- no thinning of dense points: every matching point is in the tile. The
-- planner pushes the bbox and date conditions into each branch of f, so
-- each table is read through its GiST index.
CREATE OR REPLACE FUNCTION peers.tile(z integer, x integer, y integer, datetime date)
RETURNS bytea
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
WITH b AS (
	SELECT ST_TileEnvelope(z, x, y) AS env,
		ST_Transform(ST_TileEnvelope(z, x, y, margin => 64.0 / 4096), 4326) AS q
), f AS (
	SELECT 1 AS n, 'points' AS layer, geom, id, name, kind, valid_from, valid_to FROM peers.points
	UNION ALL
	SELECT 2, 'polygons', geom, id, name, kind, valid_from, valid_to FROM peers.polygons
	UNION ALL
	SELECT 3, 'lines', geom, id, name, kind, valid_from, valid_to FROM peers.lines
)
SELECT coalesce(string_agg(mvt, ''::bytea ORDER BY n), '') FROM (
	SELECT f.n, ST_AsMVT(t, f.layer, 4096, 'geom') AS mvt
	FROM b, f, LATERAL (
		SELECT ST_AsMVTGeom(ST_Transform(f.geom, 3857), b.env, 4096, 64, true) AS geom,
			f.id::text AS id, f.name, f.kind, f.valid_from::text AS valid_from,
			f.valid_to::text AS valid_to) t
	WHERE f.geom && b.q AND (f.valid_from IS NULL OR f.valid_from <= datetime)
		AND (f.valid_to IS NULL OR f.valid_to > datetime)
	GROUP BY f.n, f.layer
) l
$$;

COMMENT ON FUNCTION peers.tile(integer, integer, integer, date) IS
	'shared/bench: points, polygons and lines valid on datetime, one query per tile';

ANALYZE peers.points;
ANALYZE peers.polygons;
ANALYZE peers.lines;
