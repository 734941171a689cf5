package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"strata/internal/load"
)

// The write mode: writers that each send one single-feature write at a
// time over OGC API – Features Part 4, alongside the readers of a load
// run. A writer creates points (POST …/items) spread over a box of the
// map and moves points it created before (PUT …/items/{id} with the
// If-Match of the ETag it was given), so that every write is a changeset
// of one feature, as a desk editing the map makes them.

// writeConfig describes the writers of a run.
type writeConfig struct {
	// BaseURL is the server's loopback URL.
	BaseURL string
	// Layer is the collection written; it must hold points (or mixed).
	Layer string
	// Token is the writer's secret, sent as "Authorization: Bearer".
	Token string
	// Writers is the number of writers, each with one write in flight.
	Writers int
	// Rate is the writes per second of all writers together; 0 means
	// as fast as they can.
	Rate float64
	// MoveShare is the share of writes, from 0 to 1, that move a point
	// the writer created (the rest create points).
	MoveShare float64
	// BBox is where points go: minlon, minlat, maxlon, maxlat. The zero
	// box means the layer's extent, asked of the server.
	BBox [4]float64
	// Warmup and Duration are those of the readers' run.
	Warmup, Duration time.Duration
	// Timeout bounds one write.
	Timeout time.Duration
	// Seed fixes the places and the choice between creating and moving.
	Seed uint64
}

// writeResult is what the writers counted in the measured period.
type writeResult struct {
	Writers int `json:"writers"`
	// TargetRate is writeConfig.Rate (0: unpaced).
	TargetRate float64 `json:"target_per_s"`
	DurationS  float64 `json:"duration_s"`
	// Writes is the number of responses in the measured period, whatever
	// their status; Rate counts only the 2xx ones per second.
	Writes int     `json:"writes"`
	Rate   float64 `json:"writes_2xx_per_s"`
	// Created and Moved count the 2xx answers to POST and to PUT.
	Created int `json:"created"`
	Moved   int `json:"moved"`
	// OK, Stale (412) and Other split the responses by status.
	OK     int         `json:"status_2xx"`
	Stale  int         `json:"status_412"`
	Other  int         `json:"status_other"`
	Status map[int]int `json:"status"`
	// Errors counts writes that got no response (connection errors,
	// timeouts), by message in ErrorKinds.
	Errors     int            `json:"errors"`
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	// P50, P99 and Max are the latencies of the measured writes.
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
	// WarmupWrites were completed before the measured period.
	WarmupWrites int `json:"warmup_writes"`
}

// status5xx returns the number of responses with a 5xx status in counts.
func status5xx(counts map[int]int) int {
	n := 0
	for code, c := range counts {
		if code >= 500 && code <= 599 {
			n += c
		}
	}
	return n
}

// writeText writes the result as a two-column table.
func (r *writeResult) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...))
	}
	target := "unpaced"
	if r.TargetRate > 0 {
		target = fmt.Sprintf("%g/s", r.TargetRate)
	}
	row("writers", "%d (target %s)", r.Writers, target)
	row("writes measured", "%d in %.2f s (%d in the warm-up)", r.Writes, r.DurationS, r.WarmupWrites)
	row("writes/s (2xx)", "%.1f", r.Rate)
	row("write p50", "%.3f ms", r.P50Ms)
	row("write p99", "%.3f ms", r.P99Ms)
	row("write max", "%.3f ms", r.MaxMs)
	row("write 2xx", "%d (%d created, %d moved)", r.OK, r.Created, r.Moved)
	row("write 412", "%d", r.Stale)
	row("write other", "%d", r.Other)
	for _, code := range slices.Sorted(maps.Keys(r.Status)) {
		if code != http.StatusPreconditionFailed && (code < 200 || code > 299) {
			row("", "%d × %d", r.Status[code], code)
		}
	}
	row("write errors", "%d", r.Errors)
	for _, msg := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
		row("", "%d × %s", r.ErrorKinds[msg], msg)
	}
	return tw.Flush()
}

// rateFlag is a flag.Value for a rate written "500" or "500/s".
type rateFlag float64

func (r *rateFlag) String() string { return strconv.FormatFloat(float64(*r), 'g', -1, 64) }

func (r *rateFlag) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "/s"), 64)
	if err != nil || v < 0 || v > 1e6 {
		return fmt.Errorf("want writes per second, such as 500/s")
	}
	*r = rateFlag(v)
	return nil
}

// bboxFlag is a flag.Value for minlon,minlat,maxlon,maxlat.
type bboxFlag [4]float64

func (b *bboxFlag) String() string {
	if *b == ([4]float64{}) {
		return ""
	}
	return fmt.Sprintf("%g,%g,%g,%g", b[0], b[1], b[2], b[3])
}

func (b *bboxFlag) Set(s string) error {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return errors.New("want minlon,minlat,maxlon,maxlat")
	}
	var v [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", p)
		}
		v[i] = x
	}
	if err := checkBox(v); err != nil {
		return err
	}
	*b = v
	return nil
}

// checkBox checks a longitude/latitude box.
func checkBox(v [4]float64) error {
	if !(v[0] >= -180 && v[2] <= 180 && v[1] >= -90 && v[3] <= 90 && v[0] < v[2] && v[1] < v[3]) {
		return fmt.Errorf("box %g,%g,%g,%g is not minlon,minlat,maxlon,maxlat within -180,-90,180,90", v[0], v[1], v[2], v[3])
	}
	return nil
}

// writeClient returns a client that connects only to loopback addresses,
// ignores proxy settings and does not follow redirects.
func writeClient(conns int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: load.DialControl}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         dialer.DialContext,
			MaxIdleConns:        2 * conns,
			MaxIdleConnsPerHost: 2 * conns,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// prepareWrites checks, before the run, that the layer exists and the
// token may write it (OPTIONS answers Allow with POST), and fills in the
// box from the layer's extent when none was given.
func prepareWrites(ctx context.Context, client *http.Client, cfg *writeConfig) error {
	base := strings.TrimRight(cfg.BaseURL, "/") + "/collections/" + url.PathEscape(cfg.Layer)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	var coll struct {
		Extent struct {
			Spatial struct {
				BBox [][]float64 `json:"bbox"`
			} `json:"spatial"`
		} `json:"extent"`
	}
	err = json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&coll)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("-write-layer %q: GET %s answered %s", cfg.Layer, base, res.Status)
	}
	if cfg.BBox == ([4]float64{}) {
		if err != nil || len(coll.Extent.Spatial.BBox) == 0 || len(coll.Extent.Spatial.BBox[0]) != 4 {
			return fmt.Errorf("-write-layer %q has no spatial extent to write in: give -write-bbox", cfg.Layer)
		}
		copy(cfg.BBox[:], coll.Extent.Spatial.BBox[0])
		if cfg.BBox[0] == cfg.BBox[2] || cfg.BBox[1] == cfg.BBox[3] {
			// One point, or points on a line: spread around them.
			cfg.BBox[0], cfg.BBox[1], cfg.BBox[2], cfg.BBox[3] = cfg.BBox[0]-0.05, cfg.BBox[1]-0.05, cfg.BBox[2]+0.05, cfg.BBox[3]+0.05
		}
		if err := checkBox(cfg.BBox); err != nil {
			return fmt.Errorf("-write-layer %q: its extent: %v; give -write-bbox", cfg.Layer, err)
		}
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodOptions, base+"/items", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	res, err = client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	allow := res.Header.Get("Allow")
	if !slices.Contains(splitAllow(allow), http.MethodPost) {
		return fmt.Errorf("the server does not let this token write layer %q (OPTIONS answered %s, Allow: %q): check the token and its layers", cfg.Layer, res.Status, allow)
	}
	return nil
}

// splitAllow splits an Allow header into methods.
func splitAllow(h string) []string {
	var out []string
	for _, m := range strings.Split(h, ",") {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, strings.ToUpper(m))
		}
	}
	return out
}

// pacer spaces the writes of all writers at a fixed interval, from a
// start: each write takes the next slot. Writers that fall behind send
// at once until they catch up, so the rate achieved is the lesser of
// the target and what the server allows.
type pacer struct {
	start    time.Time
	interval time.Duration
	n        atomic.Int64
}

// wait blocks until the next slot, and reports false when ctx ends first.
func (p *pacer) wait(ctx context.Context) bool {
	if p.interval > 0 {
		at := p.start.Add(time.Duration(p.n.Add(1)-1) * p.interval)
		if d := time.Until(at); d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return false
			case <-t.C:
			}
		}
	}
	return ctx.Err() == nil
}

// point is a point a writer created, and the ETag of its current version.
type point struct {
	id, etag string
}

// writer is one writer's state and counts.
type writer struct {
	cfg          *writeConfig
	client       *http.Client
	items        string // the items URL
	nonce        string
	index        int
	rnd          *rand.Rand
	mine         []point
	made         int
	measureStart time.Time
	end          time.Time

	warmup     int
	latencies  []time.Duration
	status     map[int]int
	created    int
	moved      int
	errors     int
	errorKinds map[string]int
}

// runWrites runs the writers for cfg.Warmup + cfg.Duration, or until ctx
// ends, and returns what they counted in the measured period.
func runWrites(ctx context.Context, cfg writeConfig) (*writeResult, error) {
	client := writeClient(cfg.Writers)
	defer client.CloseIdleConnections()
	if err := prepareWrites(ctx, client, &cfg); err != nil {
		return nil, err
	}
	start := time.Now()
	end := start.Add(cfg.Warmup + cfg.Duration)
	ctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	p := &pacer{start: start}
	if cfg.Rate > 0 {
		p.interval = time.Duration(float64(time.Second) / cfg.Rate)
	}
	// Ids unique to the run, so that runs against one database do not
	// collide.
	nonce := "load-" + strconv.FormatInt(start.UnixMilli(), 36)
	writers := make([]*writer, cfg.Writers)
	var wg sync.WaitGroup
	for i := range writers {
		w := &writer{
			cfg: &cfg, client: client, nonce: nonce, index: i,
			items:        strings.TrimRight(cfg.BaseURL, "/") + "/collections/" + url.PathEscape(cfg.Layer) + "/items",
			rnd:          rand.New(rand.NewPCG(cfg.Seed, uint64(i))),
			measureStart: start.Add(cfg.Warmup), end: end,
			status: map[int]int{}, errorKinds: map[string]int{},
		}
		writers[i] = w
		wg.Go(func() {
			// The deadline's timer may fire late: stop at the end by the clock.
			for p.wait(ctx) && time.Now().Before(end) {
				w.write(ctx)
			}
		})
	}
	wg.Wait()
	finished := time.Now()
	if finished.After(end) {
		finished = end
	}
	return mergeWriters(&cfg, writers, max(finished.Sub(start.Add(cfg.Warmup)), 0)), nil
}

// write sends one write: a move of one of the writer's points, or a new
// point, and counts its outcome.
func (w *writer) write(ctx context.Context) {
	lon := w.cfg.BBox[0] + w.rnd.Float64()*(w.cfg.BBox[2]-w.cfg.BBox[0])
	lat := w.cfg.BBox[1] + w.rnd.Float64()*(w.cfg.BBox[3]-w.cfg.BBox[1])
	move := len(w.mine) > 0 && w.rnd.Float64() < w.cfg.MoveShare
	var (
		method = http.MethodPost
		target = w.items
		pick   int
		id     string
	)
	if move {
		pick = w.rnd.IntN(len(w.mine))
		id = w.mine[pick].id
		method, target = http.MethodPut, w.items+"/"+url.PathEscape(id)
	} else {
		id = fmt.Sprintf("%s-w%d-%d", w.nonce, w.index, w.made)
	}
	body := featureJSON(id, lon, lat)
	rctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, method, target, bytes.NewReader(body))
	if err != nil {
		panic(err) // the URL was built from a checked one
	}
	req.Header.Set("Content-Type", "application/geo+json")
	req.Header.Set("Authorization", "Bearer "+w.cfg.Token)
	req.Header.Set("User-Agent", "strata-load")
	if move {
		req.Header.Set("If-Match", w.mine[pick].etag)
	}
	t0 := time.Now()
	res, err := w.client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	t1 := time.Now()
	if ctx.Err() != nil || t1.After(w.end) {
		return // in flight when the run ended: not counted
	}
	if err == nil {
		// Keep the state right whether or not the write is measured.
		switch {
		case !move && res.StatusCode == http.StatusCreated:
			w.made++
			w.mine = append(w.mine, point{id: id, etag: res.Header.Get("ETag")})
		case !move && res.StatusCode == http.StatusConflict:
			w.made++ // the id was taken: the next write tries another
		case move && (res.StatusCode == http.StatusOK || res.StatusCode == http.StatusPreconditionFailed):
			// A 412 carries the current version's ETag, or none when the
			// point was deleted meanwhile.
			if etag := res.Header.Get("ETag"); etag != "" {
				w.mine[pick].etag = etag
			} else if res.StatusCode == http.StatusPreconditionFailed {
				w.mine = slices.Delete(w.mine, pick, pick+1)
			}
		case move && res.StatusCode == http.StatusNotFound:
			w.mine = slices.Delete(w.mine, pick, pick+1)
		}
	}
	if t1.Before(w.measureStart) {
		if err == nil {
			w.warmup++
		}
		return
	}
	if err != nil {
		w.errors++
		msg := err.Error()
		if ue, ok := err.(*url.Error); ok {
			msg = ue.Err.Error()
		}
		if _, ok := w.errorKinds[msg]; ok || len(w.errorKinds) < 20 {
			w.errorKinds[msg]++
		}
		return
	}
	w.latencies = append(w.latencies, t1.Sub(t0))
	w.status[res.StatusCode]++
	if res.StatusCode >= 200 && res.StatusCode <= 299 {
		if move {
			w.moved++
		} else {
			w.created++
		}
	}
}

// featureJSON is the GeoJSON body of a write: a point with what Strata
// requires of every feature (valid time, precision, a source).
func featureJSON(id string, lon, lat float64) []byte {
	b := make([]byte, 0, 320)
	b = append(b, `{"type":"Feature","id":`...)
	b = strconv.AppendQuote(b, id)
	b = append(b, `,"geometry":{"type":"Point","coordinates":[`...)
	b = strconv.AppendFloat(b, lon, 'f', 6, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, lat, 'f', 6, 64)
	b = append(b, `]},"properties":{"name":"strata-load point","kind":"load-test","valid_from":"2024-01-01","valid_to":null,"precision_m":100,"sources":[{"title":"strata-load"}]}}`...)
	return b
}

// mergeWriters adds up the writers' counts.
func mergeWriters(cfg *writeConfig, writers []*writer, measured time.Duration) *writeResult {
	r := &writeResult{Writers: cfg.Writers, TargetRate: cfg.Rate, DurationS: measured.Seconds(),
		Status: map[int]int{}, ErrorKinds: map[string]int{}}
	var lat []time.Duration
	for _, w := range writers {
		r.WarmupWrites += w.warmup
		lat = append(lat, w.latencies...)
		r.Created += w.created
		r.Moved += w.moved
		r.Errors += w.errors
		for code, n := range w.status {
			r.Status[code] += n
			switch {
			case code >= 200 && code <= 299:
				r.OK += n
			case code == http.StatusPreconditionFailed:
				r.Stale += n
			default:
				r.Other += n
			}
		}
		for msg, n := range w.errorKinds {
			if _, ok := r.ErrorKinds[msg]; ok || len(r.ErrorKinds) < 20 {
				r.ErrorKinds[msg] += n
			}
		}
	}
	r.Writes = len(lat)
	if measured > 0 {
		r.Rate = float64(r.OK) / measured.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.P50Ms = ms(load.Percentile(lat, 50))
		r.P99Ms = ms(load.Percentile(lat, 99))
		r.MaxMs = ms(lat[len(lat)-1])
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// mixedResult is the JSON of a run with writers: the readers' result
// (absent without -paths) and the writers'.
type mixedResult struct {
	Reads  *load.Result `json:"reads,omitempty"`
	Writes *writeResult `json:"writes"`
	// Status5xx counts the 5xx responses of reads and writes together.
	Status5xx int `json:"status_5xx"`
}
