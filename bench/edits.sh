#!/bin/sh
# edits.sh: tile readers while the map is edited (issue 18, item 3). On a
# database that holds the shared workload (bench/run.sh or
# bench/postgis.sh import it), it serves the tiles with the 64 MiB cache
# and runs the tile list from 16 connections twice, interleaved: alone,
# and while one writer makes WRITES single-feature writes a second spread
# over the map (strata-load -writers). Each run reports req/s and the
# cache's hit rate (X-Cache). Usage, from the repository root:
#
#	bench/edits.sh DB [WRITES] [ROUNDS] [BENCH_DIR] [WORK_DIR]
#
# DB is a SQLite file or a postgres:// URL; WRITES defaults to 10, ROUNDS
# (pairs of runs) to 2. The server listens on 127.0.0.1:18751.
set -eu
DB=$1
WRITES=${2:-10}
ROUNDS=${3:-2}
BENCH_DIR=${4:-../shared/bench}
WORK=${5:-/tmp/strata-edits}
ADDR=127.0.0.1:18751
mkdir -p "$WORK"
go build -o "$WORK/strata" .
go build -o "$WORK/strata-load" ./cmd/strata-load
"$WORK/strata-load" -make-paths tiles -bench-dir "$BENCH_DIR" >"$WORK/tiles.txt"
# A token for the writer; its name is new for every run.
name="bench-edits-$(date +%s)"
STRATA_TOKEN=$("$WORK/strata" token create -db "$DB" -name "$name" -layers points -unconditional | tail -n 1)
export STRATA_TOKEN
"$WORK/strata" serve -addr "$ADDR" -db "$DB" -access-log=false -tile-cache-mb 64 >"$WORK/serve.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; "$WORK/strata" token revoke -db "$DB" -name "$name" >/dev/null 2>&1 || true' EXIT
until curl -fs -o /dev/null "http://$ADDR/collections"; do sleep 0.1; done
sleep 5
run() {
	echo "== tiles, 16 connections, $1 ($(uptime))"
	shift
	"$WORK/strata-load" -url "http://$ADDR" -paths "$WORK/tiles.txt" -c 16 -d 20s -warmup 5s -pid $PID "$@"
}
i=0
while [ $i -lt "$ROUNDS" ]; do
	run "no writes"
	run "$WRITES writes a second" -writers 1 -write-rate "$WRITES/s" -write-layer points
	i=$((i + 1))
done
