#!/bin/sh
# run.sh: build Strata and its bench tools, generate the shared/bench
# workload at POINTS points, import it, and run the load of issue 6 against
# a fresh server. Usage, from the repository root:
#
#	bench/run.sh [POINTS] [BENCH_DIR] [WORK_DIR]
#
# POINTS defaults to 200000, BENCH_DIR (bboxes.txt, dates.txt, tiles.txt)
# to ../shared/bench, WORK_DIR to /tmp/strata-bench. The server listens on
# 127.0.0.1:18731 only. Runs: the first request after start, with the
# database file dropped from the file cache, then cached; items and tiles
# with the tile cache off, items with a third of the requests cancelled,
# items again, the items and tiles replayed from memory (the limit for the
# same bytes), then tiles from the cache on a second server. Each run prints the load average
# (uptime): the machine is shared. See BENCHMARKS.md.
set -eu
POINTS=${1:-200000}
BENCH_DIR=${2:-../shared/bench}
WORK=${3:-/tmp/strata-bench}
ADDR=127.0.0.1:18731
REPLAY=127.0.0.1:18741
mkdir -p "$WORK/data-$POINTS"
go build -o "$WORK/strata" .
go build -o "$WORK/strata-gen" ./cmd/strata-gen
go build -o "$WORK/strata-load" ./cmd/strata-load
DB="$WORK/strata-$POINTS.db"
if [ ! -f "$DB" ]; then
	"$WORK/strata-gen" -points "$POINTS" "$WORK/data-$POINTS"
	for l in points polygons lines; do
		/usr/bin/time -f "import $l: %e s wall, %M KiB peak RSS" \
			"$WORK/strata" import -db "$DB" -layer "$l" -kind mixed \
			-source "Synthetic benchmark data" -precision-m 0 -q "$WORK/data-$POINTS/$l.geojson"
	done
fi
"$WORK/strata-load" -make-paths items -bench-dir "$BENCH_DIR" -layer points > "$WORK/items.txt"
"$WORK/strata-load" -make-paths tiles -bench-dir "$BENCH_DIR" > "$WORK/tiles.txt"
FIRST=$(sed -n 1p "$WORK/items.txt")

# First request after start, on the existing database: once with the file
# dropped from the operating system's file cache (as after a reboot; GNU
# dd's nocache), then with it cached. The tile cache is off for the
# second server, which the runs below use.
dd if="$DB" iflag=nocache count=0 status=none
# The access log is off, as when the figures in BENCHMARKS.md were first
# measured: a line per request would fill serve.log with millions of lines.
START=$(date +%s.%N)
"$WORK/strata" serve -addr "$ADDR" -db "$DB" -access-log=false > "$WORK/serve.log" 2>&1 &
PID=$!
until curl -fs -o /dev/null "http://$ADDR$FIRST"; do sleep 0.02; done
echo "first items response $(echo "$(date +%s.%N) - $START" | bc) s after start, file not cached"
kill $PID
wait $PID 2>/dev/null || true
START=$(date +%s.%N)
"$WORK/strata" serve -addr "$ADDR" -db "$DB" -access-log=false -tile-cache-mb 0 > "$WORK/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT INT TERM
until curl -fs -o /dev/null "http://$ADDR$FIRST"; do sleep 0.02; done
echo "first items response $(echo "$(date +%s.%N) - $START" | bc) s after start, file cached"
sleep 10 # let the in-memory index and point attributes load

run() {
	echo "== $* ($(uptime))"
	"$WORK/strata-load" -url "http://$ADDR" -c 16 -d 20s -warmup 5s -pid "$PID" "$@"
}
run -paths "$WORK/items.txt"
run -paths "$WORK/tiles.txt"
run -paths "$WORK/items.txt" -d 60s -cancel-fraction 0.33
run -paths "$WORK/items.txt"

# The limit for the same bytes: each response recorded once, then served
# from memory by another process (strata-load -replay), under the same load.
for list in items tiles; do
	"$WORK/strata-load" -url "http://$ADDR" -paths "$WORK/$list.txt" -replay "$REPLAY" > "$WORK/replay.log" 2>&1 &
	RPID=$!
	until grep -q replaying "$WORK/replay.log"; do sleep 0.1; done
	echo "== $list replayed from memory ($(uptime))"
	"$WORK/strata-load" -url "http://$REPLAY" -paths "$WORK/$list.txt" -c 16 -d 20s -warmup 5s -pid "$RPID"
	kill $RPID
	wait $RPID 2>/dev/null || true
done

# Tiles from the cache (64 MiB), on a fresh server.
kill $PID
wait $PID 2>/dev/null || true
"$WORK/strata" serve -addr "$ADDR" -db "$DB" -access-log=false -tile-cache-mb 64 > "$WORK/serve-cache.log" 2>&1 &
PID=$!
until curl -fs -o /dev/null "http://$ADDR$FIRST"; do sleep 0.02; done
sleep 10
run -paths "$WORK/tiles.txt"
