// Package gate bounds how many requests do CPU-bound work at once.
//
// A server on a few cores that lets every request run at once shares the
// cores among them all: each request then takes as long as the slowest
// mix of them, and the longest (a page of 1,000 features beside pages of
// ten) finish last by far. A Gate admits a fixed number of holders, about
// one per core, and queues the rest in arrival order, so a request runs
// nearly alone once admitted. On the items benchmark (2 cores, 16
// connections) this halved the 99th-percentile latency and raised
// throughput by a fifth (BENCHMARKS.md).
//
// A holder must not keep its place while it waits on something other
// than the CPU, such as a client reading a response: it leaves before
// writing and comes back with Resume, which is served before requests
// that have not started yet, so that started work finishes first and a
// slow client never holds a place. Not for ever, though: once the oldest
// new request has waited FreshPatience, it goes first, so that holders
// that keep coming back (hundreds of long pages written to clients that
// read slowly) cannot starve a small request.
package gate

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrBusy is returned by Enter when the wait for a place exceeded the
// gate's longest wait: the server is overloaded, and the caller should
// say so (HTTP 503) rather than keep the client waiting.
var ErrBusy = errors.New("gate: too many queries waiting")

// Gate admits at most n holders at once. The zero value is not usable;
// create one with New. A nil *Gate admits everyone at once.
type Gate struct {
	maxWait time.Duration // for Enter; 0: as long as the context allows

	mu      sync.Mutex
	free    int
	short   []waiter // new waiters with short work (EnterShort), served first
	resumed []waiter // waiters that started before
	fresh   []waiter // new waiters, in arrival order
}

// waiter is one caller waiting for a place.
type waiter struct {
	ch    chan struct{} // closed when the place is the waiter's
	since time.Time
}

// FreshPatience is how long the oldest new waiter lets resumed holders go
// first. Longer, and a stream of resuming holders delays new requests
// that much; shorter, and pages being written yield to newcomers under
// ordinary load too (at 50 ms the items benchmark, whose p99 is about
// 45 ms, lost throughput in a first, noisy measurement).
const FreshPatience = 250 * time.Millisecond

// New returns a Gate for n holders at once; n < 1 means 1. Enter waits at
// most maxWait for a place (0: no limit).
func New(n int, maxWait time.Duration) *Gate {
	return &Gate{free: max(n, 1), maxWait: max(maxWait, 0)}
}

// Enter waits for a place and takes it, or returns ctx's error if ctx is
// done first, or ErrBusy after the gate's longest wait (then it holds no
// place). Waiters are admitted in arrival order, after any waiting in
// Resume.
func (g *Gate) Enter(ctx context.Context) error {
	return g.enter(ctx, kindFresh)
}

// EnterShort is Enter for work known to be short, such as a small page:
// it is admitted before every other waiter, so that a few long requests
// (or hundreds) do not hold up a quick one. Callers must keep it for work
// that is short, or it delays the rest.
func (g *Gate) EnterShort(ctx context.Context) error {
	return g.enter(ctx, kindShort)
}

func (g *Gate) enter(ctx context.Context, kind int) error {
	if g == nil || g.maxWait == 0 {
		return g.wait(ctx, kind)
	}
	wctx, cancel := context.WithTimeout(ctx, g.maxWait)
	defer cancel()
	err := g.wait(wctx, kind)
	if err != nil && ctx.Err() == nil {
		return ErrBusy
	}
	return err
}

// The queues of a Gate.
const (
	kindFresh = iota
	kindResumed
	kindShort
)

// Resume is Enter for a holder that left to wait on something else and
// now continues: it is admitted before any waiter in Enter, and waits as
// long as ctx allows (its response has begun).
func (g *Gate) Resume(ctx context.Context) error {
	return g.wait(ctx, kindResumed)
}

func (g *Gate) wait(ctx context.Context, kind int) error {
	if g == nil {
		return ctx.Err()
	}
	g.mu.Lock()
	if g.free > 0 { // then no one waits: Leave hands places to waiters

		g.free--
		g.mu.Unlock()
		return nil
	}
	if err := ctx.Err(); err != nil {
		g.mu.Unlock()
		return err
	}
	ch := make(chan struct{})
	w := waiter{ch, time.Now()}
	switch kind {
	case kindShort:
		g.short = append(g.short, w)
	case kindResumed:
		g.resumed = append(g.resumed, w)
	default:
		g.fresh = append(g.fresh, w)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	removed := remove(&g.short, ch) || remove(&g.resumed, ch) || remove(&g.fresh, ch)
	g.mu.Unlock()
	if !removed {
		// Admitted as ctx ended: the place is ours, so hand it on.
		g.Leave()
	}
	return ctx.Err()
}

// remove deletes ch's waiter from *q and reports whether it was there.
func remove(q *[]waiter, ch chan struct{}) bool {
	for i, w := range *q {
		if w.ch == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}

// Waiting returns how many callers wait for a place now, in Enter,
// EnterShort and Resume together; 0 for a nil Gate. It is for
// monitoring: by the time it returns the number may have changed.
func (g *Gate) Waiting() int {
	if g == nil {
		return 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.short) + len(g.resumed) + len(g.fresh)
}

// Leave gives the caller's place to the next waiter, or frees it. Every
// successful Enter or Resume must be matched by one Leave.
func (g *Gate) Leave() {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	q := &g.resumed
	switch {
	case len(g.short) > 0:
		q = &g.short
	case len(g.fresh) > 0 && (len(g.resumed) == 0 || time.Since(g.fresh[0].since) >= FreshPatience):
		q = &g.fresh
	}
	if len(*q) > 0 {
		w := (*q)[0]
		*q = (*q)[1:]
		close(w.ch) // the place passes to the waiter
		return
	}
	g.free++
}
