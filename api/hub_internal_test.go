package api

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"strata/data/memory"
	"strata/geo"
)

// TestHubDropsSlowSubscriber checks that a subscriber that takes no
// events is dropped once its buffer is full, while another gets every
// event in order.
func TestHubDropsSlowSubscriber(t *testing.T) {
	defer SetFeedTiming(time.Hour, time.Hour)() // only the polls below
	ctx := context.Background()
	st := memory.New()
	if err := st.PutLayer(ctx, geo.Layer{ID: "a", Title: "A", Kind: geo.KindPoint}); err != nil {
		t.Fatal(err)
	}
	s := New(Config{Store: st})
	defer s.Close()
	slow, _, err := s.hub.subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fast, _, _ := s.hub.subscribe(ctx)
	n := subscriberBuffer + 50
	got := make(chan []int64)
	go func() {
		var ids []int64
		for ev := range fast.ch {
			ids = append(ids, ev.id)
			if len(ids) == n {
				break
			}
		}
		got <- ids
	}()
	for i := range n {
		id := "f" + strconv.Itoa(i)
		f := &geo.Feature{ID: id, Layer: "a", Geometry: orb.Point{34, 31}, PrecisionM: 1, Sources: []geo.Source{{Title: "T"}}, Valid: geo.Always}
		if _, err := st.Commit(ctx, geo.Commit{Note: geo.ChangeNote{Author: "t"}, Edits: []geo.Edit{{Op: geo.OpCreate, Layer: "a", ID: id, Feature: f}}}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if err := s.hub.poll(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.hub.poll(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	select {
	case ids = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the reading subscriber did not get every event")
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("events out of order: %v", ids)
		}
	}
	held := 0
	for range slow.ch {
		held++
	}
	if held != subscriberBuffer {
		t.Errorf("the slow subscriber held %d events before it was dropped, want %d", held, subscriberBuffer)
	}
}
