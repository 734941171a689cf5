// Package load is an HTTP load generator for benchmarking Strata on the
// workload of shared/bench.
//
// Run sends GET requests for a list of paths, shuffled with a fixed seed,
// from a number of concurrent connections: first for a warm-up period
// whose results are discarded, then for a measured period. It reads every
// body fully, sends no Accept-Encoding header (responses are measured
// uncompressed) and does not follow redirects. It can cancel a fraction of
// its requests mid-flight, as map clients do when the user pans, and
// sample the server process's memory and CPU time from /proc.
//
// Run only targets loopback addresses: CheckLoopback rejects any other
// base URL, and the dialer refuses to connect anywhere else.
package load

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults and limits of Config.
const (
	DefaultConcurrency    = 16
	DefaultDuration       = 20 * time.Second
	DefaultWarmup         = 5 * time.Second
	DefaultTimeout        = 30 * time.Second
	DefaultCancelMaxDelay = 5 * time.Millisecond
	// DefaultMaxRequests bounds the requests of a run, warm-up included,
	// which also bounds the memory kept for latencies (8 bytes each).
	DefaultMaxRequests = 5_000_000

	maxConcurrency = 4096
	maxDuration    = 24 * time.Hour
	maxWarmup      = time.Hour
)

// Config describes a run. Zero values take the defaults above, except
// Warmup: zero means no warm-up.
type Config struct {
	// BaseURL is the server's URL, such as http://127.0.0.1:8080, to which
	// each path is appended. It must be loopback (see CheckLoopback).
	BaseURL string
	// Paths are the request paths, each starting with '/', as ReadPathsFile
	// returns them.
	Paths []string
	// Seed fixes the shuffle of Paths and the cancellation plan.
	Seed uint64
	// Concurrency is the number of concurrent connections, each sending
	// one request at a time.
	Concurrency int
	// Warmup is sent before the measured period and not counted.
	Warmup time.Duration
	// Duration is the measured period.
	Duration time.Duration
	// MaxRequests ends the run early once that many requests were sent.
	MaxRequests int64
	// Timeout bounds each request; a timed-out request is an error.
	Timeout time.Duration
	// CancelFraction is the share of requests, from 0 to 1, to cancel
	// after a random delay from 0 to CancelMaxDelay.
	CancelFraction float64
	CancelMaxDelay time.Duration
	// PID, when positive, is the server's process id: its memory and CPU
	// time are sampled from /proc.
	PID int
	// InsecureSkipVerify skips TLS certificate checks for an https
	// BaseURL (a loopback server with a self-signed certificate).
	InsecureSkipVerify bool
}

// Result is the outcome of a run. Requests, latencies and bytes count the
// responses completed during the measured period, whatever their status,
// except those of requests planned for cancellation.
type Result struct {
	Target      string
	Paths       int
	Seed        uint64
	Concurrency int
	Warmup      time.Duration
	// WarmupRequests is the number of requests completed in the warm-up.
	WarmupRequests int
	// Duration is how long the measured period lasted: Config.Duration,
	// or less if MaxRequests or the context ended the run early.
	Duration time.Duration
	// Requests is the number of responses completed in the measured
	// period; Rate is Requests per second.
	Requests int
	Rate     float64
	// P50, P90, P99 and Max are latencies, from sending the request to
	// reading the last byte of the body (nearest-rank percentiles).
	P50, P90, P99, Max time.Duration
	// Bytes is the total size of the bodies read; AvgBytes per response.
	Bytes    int64
	AvgBytes float64
	// Status counts responses by status code.
	Status map[int]int
	// CacheHits and CacheMisses count the responses whose X-Cache header
	// said hit or miss (Strata's tiles and items pages with a cache).
	CacheHits, CacheMisses int
	// Non2xx is the number of responses whose status was not 2xx.
	Non2xx int
	// Errors is the number of requests that failed without a complete
	// response (connection errors, timeouts, truncated bodies);
	// ErrorKinds counts them by message, up to 20 distinct messages.
	Errors     int
	ErrorKinds map[string]int
	// CancelPlanned is the number of measured requests chosen for
	// cancellation; of those, Cancelled were aborted mid-flight and
	// CancelLate completed before their cancellation fired. Neither is an
	// error.
	CancelPlanned, Cancelled, CancelLate int
	// Unfinished is the number of requests still in flight when the run
	// ended; they are not counted otherwise.
	Unfinished int
	// Server is set when Config.PID was.
	Server *ServerStats
}

// withDefaults fills in zero fields.
func (c Config) withDefaults() Config {
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.CancelMaxDelay == 0 {
		c.CancelMaxDelay = DefaultCancelMaxDelay
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = DefaultMaxRequests
	}
	return c
}

// check validates a Config with its defaults filled in.
func (c Config) check() error {
	if err := CheckLoopback(c.BaseURL); err != nil {
		return err
	}
	switch {
	case len(c.Paths) == 0:
		return errors.New("no request paths")
	case c.Concurrency < 1 || c.Concurrency > maxConcurrency:
		return fmt.Errorf("concurrency %d is not within 1-%d", c.Concurrency, maxConcurrency)
	case c.Duration < 0 || c.Duration > maxDuration:
		return fmt.Errorf("duration %v is not within 0-%v", c.Duration, maxDuration)
	case c.Warmup < 0 || c.Warmup > maxWarmup:
		return fmt.Errorf("warm-up %v is not within 0-%v", c.Warmup, maxWarmup)
	case c.Timeout < 0:
		return fmt.Errorf("timeout %v is negative", c.Timeout)
	case c.MaxRequests < 0:
		return fmt.Errorf("max requests %d is negative", c.MaxRequests)
	case !(c.CancelFraction >= 0 && c.CancelFraction <= 1):
		return fmt.Errorf("cancel fraction %g is not within 0-1", c.CancelFraction)
	case c.CancelMaxDelay < 0:
		return fmt.Errorf("cancel delay %v is negative", c.CancelMaxDelay)
	}
	for _, p := range c.Paths {
		if err := checkPath(p); err != nil {
			return err
		}
	}
	return nil
}

// newClient returns an HTTP/1.1 client that connects only to loopback
// addresses, asks for no compression, ignores proxy settings and does not
// follow redirects.
func newClient(c Config) (*http.Client, *http.Transport) {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: DialControl}
	tr := &http.Transport{
		Proxy:       nil,
		DialContext: dialer.DialContext,
		// Without this, the transport adds "Accept-Encoding: gzip" and
		// decompresses transparently; the benchmark measures plain bodies.
		DisableCompression:  true,
		MaxIdleConns:        2 * c.Concurrency,
		MaxIdleConnsPerHost: 2 * c.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
	}
	if c.InsecureSkipVerify {
		// Only for loopback servers with self-signed certificates.
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return client, tr
}

// Run performs a load run and returns its result. It stops after the
// warm-up and the measured period, after MaxRequests requests, or when ctx
// is done, whichever comes first; ctx ending early is not an error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	urls := make([]string, len(cfg.Paths))
	for i, p := range cfg.Paths {
		urls[i] = base + p
		// Belt and braces: the joined URL must still be loopback.
		u, err := url.Parse(urls[i])
		if err != nil || !loopbackHost(u.Hostname()) {
			return nil, fmt.Errorf("path %q does not make a loopback URL with %s", p, base)
		}
	}
	shuffle(urls, cfg.Seed)

	client, tr := newClient(cfg)
	defer tr.CloseIdleConnections()

	var smp *sampler
	if cfg.PID > 0 {
		var err error
		if smp, err = startSampler(cfg.PID, cfg.Warmup, 100*time.Millisecond); err != nil {
			return nil, err
		}
	}

	start := time.Now()
	r := &runner{
		cfg:          cfg,
		client:       client,
		urls:         urls,
		measureStart: start.Add(cfg.Warmup),
		end:          start.Add(cfg.Warmup + cfg.Duration),
	}
	var cancel context.CancelFunc
	r.ctx, cancel = context.WithDeadline(ctx, r.end)
	defer cancel()

	stats := make([]workerStats, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range stats {
		wg.Go(func() { r.worker(&stats[i]) })
	}
	wg.Wait()
	finished := time.Now()
	if finished.After(r.end) {
		finished = r.end
	}

	res := r.result(stats, finished)
	if smp != nil {
		var err error
		if res.Server, err = smp.stop(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// shuffle permutes urls with a PCG stream seeded from seed.
func shuffle(urls []string, seed uint64) {
	rnd := rand.New(rand.NewPCG(seed, 0x6c6f6164))
	rnd.Shuffle(len(urls), func(i, j int) { urls[i], urls[j] = urls[j], urls[i] })
}

// cancelPlan decides, from the seed and the request's sequence number
// alone, whether to cancel request i and after what delay, so that the
// plan does not depend on scheduling.
func cancelPlan(seed uint64, i int64, fraction float64, maxDelay time.Duration) (bool, time.Duration) {
	if fraction <= 0 {
		return false, 0
	}
	h := splitmix64(seed ^ splitmix64(uint64(i)))
	if float64(h>>11)/(1<<53) >= fraction {
		return false, 0
	}
	return true, time.Duration(splitmix64(h) % uint64(maxDelay+1))
}

// splitmix64 is the SplitMix64 finaliser, a good 64-bit mixing function.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// runner holds the state the workers share.
type runner struct {
	cfg               Config
	client            *http.Client
	urls              []string
	ctx               context.Context
	measureStart, end time.Time
	next              atomic.Int64
}

// workerStats is what one worker counted; merged after the run.
type workerStats struct {
	warmup                   int
	latencies                []time.Duration
	bytes                    int64
	status                   map[int]int
	errors                   int
	errorKinds               map[string]int
	planned, cancelled, late int
	unfinished               int
	hits, misses             int
}

func (r *runner) worker(ws *workerStats) {
	ws.status = map[int]int{}
	ws.errorKinds = map[string]int{}
	for r.ctx.Err() == nil {
		i := r.next.Add(1) - 1
		if i >= r.cfg.MaxRequests {
			return
		}
		r.do(i, ws)
	}
}

// do sends request i and counts its outcome.
func (r *runner) do(i int64, ws *workerStats) {
	planned, delay := cancelPlan(r.cfg.Seed, i, r.cfg.CancelFraction, r.cfg.CancelMaxDelay)
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	var fired atomic.Bool
	if planned {
		t := time.AfterFunc(delay, func() { fired.Store(true); cancel() })
		defer t.Stop()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.urls[i%int64(len(r.urls))], nil)
	if err != nil {
		panic(err) // the URLs were checked in Run
	}
	req.Header.Set("User-Agent", "strata-load")

	t0 := time.Now()
	var n int64
	resp, err := r.client.Do(req)
	if err == nil {
		n, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	t1 := time.Now()

	switch {
	case r.ctx.Err() != nil || t1.After(r.end):
		// The run ended while the request was in flight.
		ws.unfinished++
		return
	case t1.Before(r.measureStart):
		if err == nil && !planned {
			ws.warmup++
		}
		return
	}
	if planned {
		ws.planned++
		switch {
		case err != nil && fired.Load() && errors.Is(err, context.Canceled):
			ws.cancelled++
			return
		case err == nil:
			ws.late++
			return
		}
	}
	if err != nil {
		ws.errors++
		msg := err.Error()
		if ue, ok := err.(*url.Error); ok {
			msg = ue.Err.Error()
		}
		if _, ok := ws.errorKinds[msg]; ok || len(ws.errorKinds) < maxErrorKinds {
			ws.errorKinds[msg]++
		}
		return
	}
	ws.latencies = append(ws.latencies, t1.Sub(t0))
	ws.bytes += n
	ws.status[resp.StatusCode]++
	switch resp.Header.Get("X-Cache") {
	case "hit":
		ws.hits++
	case "miss":
		ws.misses++
	}
}

// maxErrorKinds bounds the distinct error messages kept.
const maxErrorKinds = 20

// result merges the workers' counts.
func (r *runner) result(stats []workerStats, finished time.Time) *Result {
	res := &Result{
		Target:      r.cfg.BaseURL,
		Paths:       len(r.urls),
		Seed:        r.cfg.Seed,
		Concurrency: r.cfg.Concurrency,
		Warmup:      r.cfg.Warmup,
		Duration:    max(finished.Sub(r.measureStart), 0),
		Status:      map[int]int{},
		ErrorKinds:  map[string]int{},
	}
	var lat []time.Duration
	for _, ws := range stats {
		res.WarmupRequests += ws.warmup
		lat = append(lat, ws.latencies...)
		res.Bytes += ws.bytes
		for code, n := range ws.status {
			res.Status[code] += n
			if code < 200 || code > 299 {
				res.Non2xx += n
			}
		}
		res.Errors += ws.errors
		for msg, n := range ws.errorKinds {
			if _, ok := res.ErrorKinds[msg]; ok || len(res.ErrorKinds) < maxErrorKinds {
				res.ErrorKinds[msg] += n
			}
		}
		res.CancelPlanned += ws.planned
		res.Cancelled += ws.cancelled
		res.CancelLate += ws.late
		res.Unfinished += ws.unfinished
		res.CacheHits += ws.hits
		res.CacheMisses += ws.misses
	}
	res.Requests = len(lat)
	if res.Duration > 0 {
		res.Rate = float64(res.Requests) / res.Duration.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		res.P50 = Percentile(lat, 50)
		res.P90 = Percentile(lat, 90)
		res.P99 = Percentile(lat, 99)
		res.Max = lat[len(lat)-1]
		res.AvgBytes = float64(res.Bytes) / float64(len(lat))
	}
	return res
}

// Percentile returns the nearest-rank p-th percentile of sorted, which
// must not be empty: the smallest value with at least p% of the values at
// or below it.
func Percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}
