package load

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
	"time"
)

// WriteText writes the result as a two-column text table.
func (r *Result) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...))
	}
	row("target", "%s (%d paths, seed %d)", r.Target, r.Paths, r.Seed)
	row("connections", "%d", r.Concurrency)
	row("warm-up", "%v (%d requests)", r.Warmup, r.WarmupRequests)
	row("measured", "%.2f s", r.Duration.Seconds())
	row("requests", "%d", r.Requests)
	row("req/s", "%.1f", r.Rate)
	row("latency p50", "%.3f ms", ms(r.P50))
	row("latency p90", "%.3f ms", ms(r.P90))
	row("latency p99", "%.3f ms", ms(r.P99))
	row("latency max", "%.3f ms", ms(r.Max))
	row("bytes total", "%d", r.Bytes)
	row("bytes avg", "%.0f", r.AvgBytes)
	row("errors", "%d", r.Errors)
	for _, msg := range slices.Sorted(maps.Keys(r.ErrorKinds)) {
		row("", "%d × %s", r.ErrorKinds[msg], msg)
	}
	row("non-2xx", "%d", r.Non2xx)
	for _, code := range slices.Sorted(maps.Keys(r.Status)) {
		if code < 200 || code > 299 {
			row("", "%d × %d", r.Status[code], code)
		}
	}
	if r.CancelPlanned > 0 {
		row("cancelled", "%d of %d planned (%d completed first)", r.Cancelled, r.CancelPlanned, r.CancelLate)
	}
	if n := r.CacheHits + r.CacheMisses; n > 0 {
		row("cache", "%d hits, %d misses (%.1f%% hits)", r.CacheHits, r.CacheMisses, 100*float64(r.CacheHits)/float64(n))
	}
	row("unfinished", "%d (in flight at the end)", r.Unfinished)
	if s := r.Server; s != nil {
		row("server pid", "%d", s.PID)
		row("server peak RSS", "%.1f MiB (max sampled %.1f MiB)", mib(s.PeakRSS), mib(s.MaxRSS))
		cpuShare := 0.0
		if r.Duration > 0 {
			cpuShare = 100 * s.CPU.Seconds() / r.Duration.Seconds()
		}
		row("server CPU", "%.2f s measured (%.0f%% of one core), %.2f s total", s.CPU.Seconds(), cpuShare, s.CPUTotal.Seconds())
	}
	return tw.Flush()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// jsonResult is the JSON form of a Result: durations in seconds or
// milliseconds, as the names say.
type jsonResult struct {
	Target         string         `json:"target"`
	Paths          int            `json:"paths"`
	Seed           uint64         `json:"seed"`
	Concurrency    int            `json:"concurrency"`
	WarmupS        float64        `json:"warmup_s"`
	WarmupRequests int            `json:"warmup_requests"`
	DurationS      float64        `json:"duration_s"`
	Requests       int            `json:"requests"`
	Rate           float64        `json:"req_per_s"`
	P50Ms          float64        `json:"p50_ms"`
	P90Ms          float64        `json:"p90_ms"`
	P99Ms          float64        `json:"p99_ms"`
	MaxMs          float64        `json:"max_ms"`
	Bytes          int64          `json:"bytes_total"`
	AvgBytes       float64        `json:"bytes_avg"`
	Status         map[int]int    `json:"status"`
	Non2xx         int            `json:"non_2xx"`
	Errors         int            `json:"errors"`
	ErrorKinds     map[string]int `json:"error_kinds,omitempty"`
	CancelPlanned  int            `json:"cancel_planned"`
	Cancelled      int            `json:"cancelled"`
	CancelLate     int            `json:"cancel_late"`
	Unfinished     int            `json:"unfinished"`
	CacheHits      int            `json:"cache_hits"`
	CacheMisses    int            `json:"cache_misses"`
	Server         *jsonServer    `json:"server,omitempty"`
}

type jsonServer struct {
	PID       int     `json:"pid"`
	PeakRSS   int64   `json:"peak_rss_bytes"`
	MaxRSS    int64   `json:"max_sampled_rss_bytes"`
	CPUS      float64 `json:"cpu_s"`
	CPUTotalS float64 `json:"cpu_total_s"`
}

// MarshalJSON encodes the result with snake_case names, latencies in
// milliseconds and periods in seconds.
func (r *Result) MarshalJSON() ([]byte, error) {
	j := jsonResult{
		Target: r.Target, Paths: r.Paths, Seed: r.Seed, Concurrency: r.Concurrency,
		WarmupS: r.Warmup.Seconds(), WarmupRequests: r.WarmupRequests,
		DurationS: r.Duration.Seconds(), Requests: r.Requests, Rate: r.Rate,
		P50Ms: ms(r.P50), P90Ms: ms(r.P90), P99Ms: ms(r.P99), MaxMs: ms(r.Max),
		Bytes: r.Bytes, AvgBytes: r.AvgBytes, Status: r.Status, Non2xx: r.Non2xx,
		Errors: r.Errors, ErrorKinds: r.ErrorKinds,
		CancelPlanned: r.CancelPlanned, Cancelled: r.Cancelled, CancelLate: r.CancelLate,
		Unfinished: r.Unfinished, CacheHits: r.CacheHits, CacheMisses: r.CacheMisses,
	}
	if s := r.Server; s != nil {
		j.Server = &jsonServer{PID: s.PID, PeakRSS: s.PeakRSS, MaxRSS: s.MaxRSS,
			CPUS: s.CPU.Seconds(), CPUTotalS: s.CPUTotal.Seconds()}
	}
	return json.Marshal(j)
}
