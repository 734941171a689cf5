#!/bin/sh
# postgis.sh: the shared/bench workload on one PostgreSQL/PostGIS database,
# served side by side by pg_featureserv, pg_tileserv, Strata on PostGIS
# and Strata on SQLite, measured with the same load tool in one run
# (issue 16, item 5). Usage, from the repository root:
#
#	PG_FEATURESERV=/path/to/pg_featureserv PG_TILESERV=/path/to/pg_tileserv \
#		bench/postgis.sh PGURL [POINTS] [BENCH_DIR] [WORK_DIR]
#
# PGURL is a postgres:// URL of a database where the user may create the
# postgis extension and a schema (a Unix socket works:
# postgres:///bench?host=/tmp/dir&user=postgres). POINTS defaults to
# 200000, BENCH_DIR (bboxes.txt, dates.txt, tiles.txt) to ../shared/bench,
# WORK_DIR to /tmp/strata-pgbench. The peers' binaries are built by the
# user beforehand (see BENCHMARKS.md); this script never builds them.
#
# Environment:
#	PG_FEATURESERV, PG_TILESERV  the peers' binaries (required)
#	STRATA_PGURL   Strata's PostgreSQL store (default: PGURL, the same database;
#	               a SQLite path also works, to try this script's Strata part)
#	STRATA_PG      1 (default) runs Strata on PostGIS; 0 skips it
#	PEER_POOL      the peers' database pool size, DbPoolMaxConns (default 16,
#	               one per client connection: with fewer, pg_featureserv
#	               1.3.1 hangs for good once the end of the 16-connection
#	               run cancels the requests in flight, its pgx pool's
#	               deadlock of shared/bench/README.md; 4 is their default)
#	PORT_BASE      first of five loopback ports (default 18761: 18761-18765)
#	DURATION, WARMUP  of each run (default 20s and 5s, the shared workload's)
#	ONLY=tiles     after the setup, only the uncached tiles of issue 18:
#	               pg_tileserv, Strata (cache off) and Strata's tiles
#	               replayed from memory, interleaved ROUNDS times (default 3),
#	               16 connections
#
# What it does: builds strata, strata-gen and strata-load; generates the
# workload; loads it into the schema "peers" with ogr2ogr (geometry SRID
# 4326 with GiST indexes, valid_from/valid_to dates with an index, the tile
# function peers.tile of bench/postgis-peers.sql) unless peers.points
# already holds POINTS rows; imports it into Strata's PostgreSQL store
# unless that store already has the layer "points" (strata export), and
# into a SQLite file unless it exists;
# starts the servers on loopback and checks that pg_featureserv and each
# Strata return the same number of features for every items request. Then
# it runs strata-load (16 connections, then 1; 5 s warm-up, 20 s measured,
# seed 1) against: items of pg_featureserv (bbox + CQL time filter,
# limit=1000), Strata on PostGIS and Strata on SQLite (bbox + datetime,
# limit=1000); tiles of pg_tileserv (peers.tile, one SQL function per
# tile, time-filtered), Strata on PostGIS and Strata on SQLite with the
# tile cache off, then both Strata servers restarted with a 64 MiB tile
# cache; and the limit for the same bytes: Strata's items and tiles
# replayed from memory (strata-load -replay). Each run prints uptime: the
# machine is shared. Peak RSS and CPU are the HTTP server's only, not the
# PostgreSQL backends'.
#
# The request lists are strata-load -make-paths output, rewritten for the
# peers with the same pairing of boxes and tiles with dates:
#	/collections/points/items?bbox=B&datetime=D&limit=1000
#	  -> /collections/peers.points/items?bbox=B&filter=valid_from <= D AND
#	     (valid_to > D OR valid_to IS NULL)&limit=1000   (percent-encoded)
#	/tiles/WebMercatorQuad/Z/Y/X?datetime=D -> /peers.tile/Z/X/Y.pbf?datetime=D
set -eu
PGURL=${1:?usage: PG_FEATURESERV=BIN PG_TILESERV=BIN bench/postgis.sh PGURL [POINTS] [BENCH_DIR] [WORK_DIR]}
POINTS=${2:-200000}
BENCH_DIR=${3:-../shared/bench}
WORK=${4:-/tmp/strata-pgbench}
: "${PG_FEATURESERV:?set PG_FEATURESERV to the pg_featureserv binary}"
: "${PG_TILESERV:?set PG_TILESERV to the pg_tileserv binary}"
STRATA_PGURL=${STRATA_PGURL:-$PGURL}
STRATA_PG=${STRATA_PG:-1}
PEER_POOL=${PEER_POOL:-16}
PORT_BASE=${PORT_BASE:-18761}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
ONLY=${ONLY:-}
ROUNDS=${ROUNDS:-3}
FS_ADDR=127.0.0.1:$PORT_BASE
TS_ADDR=127.0.0.1:$((PORT_BASE + 1))
SPG_ADDR=127.0.0.1:$((PORT_BASE + 2))
SQL_ADDR=127.0.0.1:$((PORT_BASE + 3))
REPLAY=127.0.0.1:$((PORT_BASE + 4))
for a in $FS_ADDR $TS_ADDR $SPG_ADDR $SQL_ADDR $REPLAY; do
	if curl -s -o /dev/null "http://$a/"; then
		echo "postgis.sh: something already listens on $a (set PORT_BASE)" >&2
		exit 1
	fi
done
SQLDIR=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK/data-$POINTS"
WORK=$(cd "$WORK" && pwd)
go build -o "$WORK/strata" .
go build -o "$WORK/strata-gen" ./cmd/strata-gen
go build -o "$WORK/strata-load" ./cmd/strata-load
DATA=$WORK/data-$POINTS
if [ ! -f "$DATA/lines.geojson" ]; then
	"$WORK/strata-gen" -points "$POINTS" "$DATA"
fi

PIDS=""
stop() { # stop PID: stop one server this script started
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done' EXIT
trap 'exit 130' INT TERM
wait_up() { # wait_up URL PID NAME: until URL answers 2xx, or fail if PID exits
	i=0
	until curl -fs -o /dev/null "$1"; do
		if ! kill -0 "$2" 2>/dev/null || [ $i -ge 600 ]; then
			echo "postgis.sh: $3 did not start; its log:" >&2
			cat "$WORK/$3.log" >&2
			exit 1
		fi
		i=$((i + 1))
		sleep 0.1
	done
}

# psql without notices (ogr2ogr's SQL and the idempotent DDL make some).
psql() { PGOPTIONS='-c client_min_messages=error' command psql "$@"; }

echo "== setup ($(date -u +%FT%TZ)): strata $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(go version)"
for b in "$PG_FEATURESERV" "$PG_TILESERV"; do
	echo "$("$b" --version 2>&1 | head -1) ($b;$(go version -m "$b" | awk '$2 ~ /jackc\/(pgx|puddle)/ { printf " %s %s", $2, $3 }'))"
done
psql "$PGURL" -X -q -v ON_ERROR_STOP=1 -At -F ' = ' \
	-c "SELECT version()" \
	-c "CREATE EXTENSION IF NOT EXISTS postgis" \
	-c "SELECT postgis_full_version()" \
	-c "SELECT name, setting || coalesce(' ' || unit, '') FROM pg_settings WHERE name IN
		('shared_buffers', 'effective_cache_size', 'work_mem', 'maintenance_work_mem',
		'random_page_cost', 'jit', 'max_parallel_workers_per_gather', 'max_connections',
		'fsync', 'synchronous_commit', 'full_page_writes') ORDER BY name"

# The peers' tables: ogr2ogr writes SQL (COPY) for psql, so that any URL
# psql takes works, Unix sockets included.
rows=$(psql "$PGURL" -X -q -At -c "SELECT count(*) FROM peers.points" 2>/dev/null || echo 0)
if [ "$rows" != "$POINTS" ]; then
	START=$(date +%s.%N)
	psql "$PGURL" -X -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA IF NOT EXISTS peers"
	for l in points polygons lines; do
		ogr2ogr --config PG_USE_COPY YES -f PGDump /vsistdout/ "$DATA/$l.geojson" -nln "$l" \
			-lco SCHEMA=peers -lco CREATE_SCHEMA=OFF -lco GEOMETRY_NAME=geom -lco FID=fid \
			-lco SPATIAL_INDEX=NONE |
			psql "$PGURL" -X -q -v ON_ERROR_STOP=1 >/dev/null
	done
	psql "$PGURL" -X -q -f "$SQLDIR/postgis-peers.sql"
	echo "peers' tables loaded and indexed in $(echo "$(date +%s.%N) - $START" | bc) s"
else
	psql "$PGURL" -X -q -f "$SQLDIR/postgis-peers.sql"
fi

# Request lists: Strata's, and the same pairs in the peers' URLs.
"$WORK/strata-load" -make-paths items -bench-dir "$BENCH_DIR" -layer points >"$WORK/items.txt"
"$WORK/strata-load" -make-paths tiles -bench-dir "$BENCH_DIR" >"$WORK/tiles.txt"
sed -E 's#^/collections/points/items\?bbox=([^&]+)&datetime=([^&]+)&limit=1000$#/collections/peers.points/items?bbox=\1\&filter=valid_from%20%3C%3D%20\2%20AND%20%28valid_to%20%3E%20\2%20OR%20valid_to%20IS%20NULL%29\&limit=1000#' \
	"$WORK/items.txt" >"$WORK/fs-items.txt"
sed -E 's#^/tiles/WebMercatorQuad/([0-9]+)/([0-9]+)/([0-9]+)\?datetime=([^&]+)$#/peers.tile/\1/\3/\2.pbf?datetime=\4#' \
	"$WORK/tiles.txt" >"$WORK/ts-tiles.txt"
if grep -q '^/collections/points' "$WORK/fs-items.txt" || grep -q '^/tiles/' "$WORK/ts-tiles.txt"; then
	echo "postgis.sh: a request path was not rewritten for the peers" >&2
	exit 1
fi

# The peers, configured by file (their defaults, but for the address, the
# pool, the published schema and a 60 s limit per request).
cat >"$WORK/pg_featureserv.toml" <<EOF
[Server]
HttpHost = "127.0.0.1"
HttpPort = ${FS_ADDR#*:}
WriteTimeoutSec = 60
[Database]
DbConnection = "$PGURL"
DbPoolMaxConns = $PEER_POOL
TableIncludes = ["peers"]
[Paging]
LimitMax = 1000
EOF
cat >"$WORK/pg_tileserv.toml" <<EOF
HttpHost = "127.0.0.1"
HttpPort = ${TS_ADDR#*:}
DbConnection = "$PGURL"
DbPoolMaxConns = $PEER_POOL
DbTimeout = 60
EOF
echo "peers' database pool: $PEER_POOL connections each"
"$PG_FEATURESERV" --config "$WORK/pg_featureserv.toml" >"$WORK/pg_featureserv.log" 2>&1 &
FS_PID=$!
PIDS="$PIDS $FS_PID"
"$PG_TILESERV" --config "$WORK/pg_tileserv.toml" >"$WORK/pg_tileserv.log" 2>&1 &
TS_PID=$!
PIDS="$PIDS $TS_PID"
wait_up "http://$FS_ADDR$(sed -n 1p "$WORK/fs-items.txt")" $FS_PID pg_featureserv
wait_up "http://$TS_ADDR$(sed -n 1p "$WORK/ts-tiles.txt")" $TS_PID pg_tileserv

# Strata on SQLite, and on PostgreSQL: imported once.
DB=$WORK/strata-$POINTS.db
import() { # import DB: the three layers into DB (a file or a URL)
	for l in points polygons lines; do
		/usr/bin/time -f "import $l: %e s wall, %M KiB peak RSS" \
			"$WORK/strata" import -db "$1" -layer "$l" -kind mixed \
			-source "Synthetic benchmark data" -precision-m 0 -q "$DATA/$l.geojson"
	done
}
if [ ! -f "$DB" ]; then
	import "$DB"
fi
FIRST=$(sed -n 1p "$WORK/items.txt")
serve() { # serve NAME ADDR DB CACHE_MB: start a Strata server with CACHE_MB for tiles and as much for items pages, set PID
	"$WORK/strata" serve -addr "$2" -db "$3" -access-log=false -tile-cache-mb "$4" -page-cache-mb "$4" >"$WORK/$1.log" 2>&1 &
	PID=$!
	PIDS="$PIDS $PID"
	wait_up "http://$2/collections" $PID "$1"
}
serve strata-sqlite $SQL_ADDR "$DB" 0
SQL_PID=$PID
if [ "$STRATA_PG" = 1 ]; then
	# Imported unless the store already has the layer "points" (an
	# import is all or nothing); the check of the counts below catches
	# a store loaded with another workload.
	if ! "$WORK/strata" export -db "$STRATA_PGURL" -layer points >/dev/null 2>&1; then
		echo "importing into Strata's PostgreSQL store"
		import "$STRATA_PGURL"
		case $STRATA_PGURL in postgres://* | postgresql://*) psql "$STRATA_PGURL" -X -q -c ANALYZE ;; esac
	fi
	serve strata-pg $SPG_ADDR "$STRATA_PGURL" 0
	SPG_PID=$PID
fi
wait_up "http://$SQL_ADDR$FIRST" $SQL_PID strata-sqlite
[ "$STRATA_PG" = 1 ] && wait_up "http://$SPG_ADDR$FIRST" $SPG_PID strata-pg

# The same features: pg_featureserv and each Strata return as many
# features for every items request (at most 1,000, so the sets may differ
# where more match).
check() { # check ADDR NAME
	python3 - "http://$1" "http://$FS_ADDR" "$WORK/items.txt" "$WORK/fs-items.txt" "$2" <<'EOF'
import json, sys, urllib.request
strata, peer, sp, pp, name = sys.argv[1:]
def count(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return len(json.load(r)["features"])
n = bad = 0
for s, p in zip(open(sp).read().split(), open(pp).read().split()):
    a, b = count(strata + s), count(peer + p)
    n += 1
    if a != b:
        bad += 1
        print(f"  {name} has {a} features, pg_featureserv {b}: {s}")
print(f"items requests with as many features in {name} as in pg_featureserv: {n - bad} of {n}")
sys.exit(1 if bad or n == 0 else 0)
EOF
}
check $SQL_ADDR strata-sqlite
[ "$STRATA_PG" = 1 ] && check $SPG_ADDR strata-pg
sleep 10 # let Strata's in-memory index and point attributes load

run() { # run NAME ADDR PID PATHS [strata-load flags]: 16 connections, then 1
	name=$1 addr=$2 pid=$3 paths=$4
	shift 4
	for c in 16 1; do
		echo "== $name, $c connection(s) ($(uptime))"
		"$WORK/strata-load" -url "http://$addr" -paths "$paths" -c $c -d "$DURATION" -warmup "$WARMUP" -pid "$pid" "$@"
	done
}
replay() { # replay LIST: record Strata's answers to LIST once and serve them from memory at $REPLAY, set RPID
	"$WORK/strata-load" -url "http://$SQL_ADDR" -paths "$WORK/$1.txt" -replay "$REPLAY" >"$WORK/replay.log" 2>&1 &
	RPID=$!
	PIDS="$PIDS $RPID"
	until grep -q replaying "$WORK/replay.log"; do
		kill -0 $RPID 2>/dev/null || { cat "$WORK/replay.log" >&2; exit 1; }
		sleep 0.1
	done
}
if [ "$ONLY" = tiles ]; then
	# Issue 18: uncached tiles against pg_tileserv and the limit for the
	# same bytes, ROUNDS times interleaved, 16 connections: the machine's
	# speed drifts, so each round's ratios are of one window.
	replay tiles
	one() { # one NAME ADDR PID PATHS: 16 connections
		echo "== $1, 16 connections ($(uptime))"
		"$WORK/strata-load" -url "http://$2" -paths "$4" -c 16 -d "$DURATION" -warmup "$WARMUP" -pid "$3"
	}
	i=1
	while [ $i -le "$ROUNDS" ]; do
		one "round $i: pg_tileserv tiles, peers.tile function, time-filtered" $TS_ADDR $TS_PID "$WORK/ts-tiles.txt"
		[ "$STRATA_PG" = 1 ] && one "round $i: Strata on PostGIS tiles, cache off" $SPG_ADDR $SPG_PID "$WORK/tiles.txt"
		one "round $i: Strata on SQLite tiles, cache off" $SQL_ADDR $SQL_PID "$WORK/tiles.txt"
		one "round $i: Strata's tiles replayed from memory" $REPLAY $RPID "$WORK/tiles.txt"
		i=$((i + 1))
	done
	echo "== done ($(uptime))"
	exit 0
fi
run "pg_featureserv items, bbox + CQL time filter, limit 1000" $FS_ADDR $FS_PID "$WORK/fs-items.txt"
if ! curl -fs -m 10 -o /dev/null "http://$FS_ADDR$(sed -n 1p "$WORK/fs-items.txt")"; then
	echo "pg_featureserv no longer answers (10 s) after its runs: the deadlock of its pgx pool after cancelled requests?"
fi
[ "$STRATA_PG" = 1 ] && run "Strata on PostGIS items, caches off" $SPG_ADDR $SPG_PID "$WORK/items.txt"
run "Strata on SQLite items, caches off" $SQL_ADDR $SQL_PID "$WORK/items.txt"
run "pg_tileserv tiles, peers.tile function, time-filtered" $TS_ADDR $TS_PID "$WORK/ts-tiles.txt"
[ "$STRATA_PG" = 1 ] && run "Strata on PostGIS tiles, cache off" $SPG_ADDR $SPG_PID "$WORK/tiles.txt"
run "Strata on SQLite tiles, cache off" $SQL_ADDR $SQL_PID "$WORK/tiles.txt"

# The limit for the same bytes: Strata's responses recorded once, then
# served from memory by another process (strata-load -replay).
for list in items tiles; do
	replay $list
	echo "== Strata's $list replayed from memory, 16 connections ($(uptime))"
	"$WORK/strata-load" -url "http://$REPLAY" -paths "$WORK/$list.txt" -c 16 -d "$DURATION" -warmup "$WARMUP" -pid $RPID
	stop $RPID
done

# Items pages and tiles from the caches (64 MiB each), on fresh Strata
# servers.
stop $SQL_PID
serve strata-sqlite-cache $SQL_ADDR "$DB" 64
SQL_PID=$PID
if [ "$STRATA_PG" = 1 ]; then
	stop $SPG_PID
	serve strata-pg-cache $SPG_ADDR "$STRATA_PGURL" 64
	SPG_PID=$PID
fi
sleep 10
[ "$STRATA_PG" = 1 ] && run "Strata on PostGIS items, 64 MiB page cache" $SPG_ADDR $SPG_PID "$WORK/items.txt"
run "Strata on SQLite items, 64 MiB page cache" $SQL_ADDR $SQL_PID "$WORK/items.txt"
[ "$STRATA_PG" = 1 ] && run "Strata on PostGIS tiles, 64 MiB cache" $SPG_ADDR $SPG_PID "$WORK/tiles.txt"
run "Strata on SQLite tiles, 64 MiB cache" $SQL_ADDR $SQL_PID "$WORK/tiles.txt"
if grep -qi 'deadlock\|panic' "$WORK/pg_featureserv.log" "$WORK/pg_tileserv.log"; then
	echo "the peers' logs mention a deadlock or panic: see $WORK/pg_*.log"
fi
echo "== done ($(uptime))"
