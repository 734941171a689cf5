package gate

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cancelled is a context that is already done: Enter with it succeeds only
// if a place is free at once.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// free counts the places a fresh caller could take at once, and gives
// them back.
func free(g *Gate) int {
	n := 0
	for g.Enter(cancelled()) == nil {
		n++
	}
	for range n {
		g.Leave()
	}
	return n
}

func TestAtMostN(t *testing.T) {
	for _, n := range []int{1, 2, 5} {
		g := New(n, 0)
		var in, most atomic.Int32
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := g.Enter(context.Background()); err != nil {
					t.Error(err)
					return
				}
				cur := in.Add(1)
				for m := most.Load(); cur > m && !most.CompareAndSwap(m, cur); m = most.Load() {
				}
				time.Sleep(time.Millisecond)
				in.Add(-1)
				g.Leave()
			}()
		}
		wg.Wait()
		if got := most.Load(); got != int32(n) {
			t.Errorf("New(%d): at most %d holders at once, want %d", n, got, n)
		}
		if got := free(g); got != n {
			t.Errorf("New(%d): %d places free at the end", n, got)
		}
	}
}

// waitQueued waits until g has n waiters in all.
func waitQueued(t *testing.T, g *Gate, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if g.Waiting() == n {
			return
		}
	}
	t.Fatalf("never %d waiters", n)
}

func TestOrder(t *testing.T) {
	g := New(1, 0)
	ctx := context.Background()
	if err := g.Enter(ctx); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 4)
	start := func(name string, resume bool) {
		go func() {
			var err error
			if resume {
				err = g.Resume(ctx)
			} else {
				err = g.Enter(ctx)
			}
			if err != nil {
				t.Error(err)
			}
			order <- name
			g.Leave()
		}()
	}
	// Fresh waiters in arrival order, but a resumed one first.
	start("fresh1", false)
	waitQueued(t, g, 1)
	start("fresh2", false)
	waitQueued(t, g, 2)
	start("resumed", true)
	waitQueued(t, g, 3)
	g.Leave()
	for _, want := range []string{"resumed", "fresh1", "fresh2"} {
		if got := <-order; got != want {
			t.Fatalf("admitted %s, want %s", got, want)
		}
	}
	if got := free(g); got != 1 {
		t.Errorf("%d places free at the end, want 1", got)
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	g := New(1, 0)
	if err := g.Enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() { errc <- g.Enter(ctx) }()
	waitQueued(t, g, 1)
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("Enter after cancel: %v, want context.Canceled", err)
	}
	waitQueued(t, g, 0)
	g.Leave()
	if got := free(g); got != 1 {
		t.Errorf("%d places free, want 1: a cancelled waiter kept one", got)
	}
}

// TestCancelRace admits and cancels many waiters at random: no place may
// be lost or made up.
func TestCancelRace(t *testing.T) {
	const n = 3
	g := New(n, 0)
	var in atomic.Int32
	var wg sync.WaitGroup
	for i := range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(r.IntN(300))*time.Microsecond)
			defer cancel()
			wait := g.Enter
			if i%3 == 0 {
				wait = g.Resume
			}
			if wait(ctx) != nil {
				return
			}
			if in.Add(1) > n {
				t.Error("more than n holders")
			}
			time.Sleep(time.Duration(r.IntN(100)) * time.Microsecond)
			in.Add(-1)
			g.Leave()
		}()
	}
	wg.Wait()
	if got := free(g); got != n {
		t.Errorf("%d places free at the end, want %d", got, n)
	}
}

func TestBusy(t *testing.T) {
	g := New(1, 20*time.Millisecond)
	if err := g.Enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := g.Enter(context.Background()); err != ErrBusy {
		t.Fatalf("Enter on a full gate past its longest wait: %v, want ErrBusy", err)
	}
	if err := g.Enter(cancelled()); err != context.Canceled {
		t.Errorf("Enter with a cancelled context: %v, want context.Canceled", err)
	}
	g.Leave()
	if got := free(g); got != 1 {
		t.Errorf("%d places free, want 1: a waiter that gave up kept one", got)
	}
	// A resumed holder is not turned away.
	if err := g.Enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- g.Resume(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // past the longest wait
	g.Leave()
	if err := <-done; err != nil {
		t.Errorf("Resume after the longest wait: %v", err)
	}
	g.Leave()
}

func TestNil(t *testing.T) {
	var g *Gate
	for range 3 {
		if err := g.Enter(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	g.Leave()
	if err := g.Enter(cancelled()); err == nil {
		t.Error("nil gate: Enter with a done context succeeded")
	}
	if n := g.Waiting(); n != 0 {
		t.Errorf("nil gate: %d waiting", n)
	}
}

func TestNewAtLeastOne(t *testing.T) {
	if got := free(New(0, 0)); got != 1 {
		t.Errorf("New(0, 0) has %d places, want 1", got)
	}
}

func BenchmarkEnterLeave(b *testing.B) {
	b.ReportAllocs()
	g := New(2, 0)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := g.Enter(ctx); err != nil {
				b.Fatal(err)
			}
			g.Leave()
		}
	})
}

// TestNoStarvation: holders that keep leaving and resuming (long pages
// written to clients that read slowly) do not keep a new request out
// for longer than FreshPatience and a few holds.
func TestNoStarvation(t *testing.T) {
	g := New(1, 0)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		if err := g.Enter(ctx); err != nil {
			t.Fatal(err)
		}
		g.Leave()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := g.Resume(ctx); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond) // a little work with the place
				g.Leave()
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // the resumers are cycling
	start := time.Now()
	admitted := make(chan time.Duration, 1)
	go func() {
		if err := g.Enter(ctx); err != nil {
			t.Error(err)
			return
		}
		admitted <- time.Since(start)
		g.Leave()
	}()
	select {
	case d := <-admitted:
		if d > FreshPatience+500*time.Millisecond {
			t.Errorf("a new request waited %v behind resuming holders", d)
		}
	case <-time.After(3 * time.Second):
		t.Error("a new request was still waiting after 3 s behind resuming holders")
	}
	close(stop)
	wg.Wait()
}

// TestShortFirst: a waiter in EnterShort is admitted before waiters that
// came earlier in Enter and Resume.
func TestShortFirst(t *testing.T) {
	g := New(1, 0)
	ctx := context.Background()
	if err := g.Enter(ctx); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 3)
	var wg sync.WaitGroup
	start := func(name string, enter func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := enter(ctx); err != nil {
				t.Error(err)
				return
			}
			order <- name
			g.Leave()
		}()
		for g.Waiting() == 0 || len(order) > 0 {
			time.Sleep(time.Millisecond)
		}
	}
	start("fresh", g.Enter)
	for g.Waiting() < 1 {
		time.Sleep(time.Millisecond)
	}
	start("resumed", g.Resume)
	for g.Waiting() < 2 {
		time.Sleep(time.Millisecond)
	}
	start("short", g.EnterShort)
	for g.Waiting() < 3 {
		time.Sleep(time.Millisecond)
	}
	g.Leave()
	wg.Wait()
	close(order)
	var got []string
	for n := range order {
		got = append(got, n)
	}
	if len(got) != 3 || got[0] != "short" || got[1] != "resumed" || got[2] != "fresh" {
		t.Errorf("admitted in the order %v, want short, resumed, fresh", got)
	}
}
