package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"strata/api"
)

// tilePath is the address of the all-layers tile at zoom z over a place.
func tilePath(z maptile.Zoom, lon, lat float64) string {
	t := maptile.At(orb.Point{lon, lat}, z)
	return fmt.Sprintf("/tiles/WebMercatorQuad/%d/%d/%d?datetime=2025-11-01", t.Z, t.Y, t.X)
}

// TestTileCacheKeepsWhatAWriteDidNotTouch: a write invalidates only the
// cached tiles whose buffered area meets what it changed. A tile over
// Kiryat Gat stays cached, with its ETag, through a write near Rafah; the
// tile holding the new feature is drawn again and shows it; a write in
// Kiryat Gat then invalidates its tile.
func TestTileCacheKeepsWhatAWriteDidNotTouch(t *testing.T) {
	const kgLon, kgLat = 34.7642, 31.6100 // Kiryat Gat
	const rfLon, rfLat = 34.2500, 31.2900 // Rafah
	for _, e := range writeStores(t, api.Config{TileCacheBytes: 4 << 20}) {
		t.Run(e.name, func(t *testing.T) {
			json1 := map[string]string{"token": "bob", "Content-Type": "application/geo+json"}
			post := func(id string, lon, lat float64, name string) {
				t.Helper()
				body := strings.Replace(pointFeature(id, lon, lat, ""), `"name":"Crossing"`, `"name":"`+name+`"`, 1)
				if r := e.send(t, "POST", "/collections/a/items", body, json1); r.status != 201 {
					t.Fatalf("POST %s: %d %s", id, r.status, r.body)
				}
			}
			post("kg1", kgLon, kgLat, "Centre one")
			kg := e.srv.URL + tilePath(12, kgLon, kgLat)
			rf := e.srv.URL + tilePath(12, rfLon, rfLat)
			if first := get(t, kg); first.status != 200 || first.header.Get("X-Cache") != "miss" {
				t.Fatalf("first Kiryat Gat tile: %d X-Cache %q", first.status, first.header.Get("X-Cache"))
			}
			cached := get(t, kg)
			if cached.header.Get("X-Cache") != "hit" || !strings.Contains(string(cached.body), "Centre one") {
				t.Fatalf("second Kiryat Gat tile: X-Cache %q", cached.header.Get("X-Cache"))
			}
			if r := get(t, rf); r.header.Get("X-Cache") != "miss" || strings.Contains(string(r.body), "Rafah point") {
				t.Fatalf("Rafah tile before the write: X-Cache %q", r.header.Get("X-Cache"))
			}

			post("rf1", rfLon, rfLat, "Rafah point")
			after := get(t, kg)
			if after.header.Get("X-Cache") != "hit" || after.header.Get("ETag") != cached.header.Get("ETag") {
				t.Errorf("Kiryat Gat tile after a write near Rafah: X-Cache %q, ETag %q, want hit %q",
					after.header.Get("X-Cache"), after.header.Get("ETag"), cached.header.Get("ETag"))
			}
			if r := get(t, rf); r.header.Get("X-Cache") != "miss" || !strings.Contains(string(r.body), "Rafah point") {
				t.Errorf("Rafah tile after the write: X-Cache %q, holds the new feature: %v", r.header.Get("X-Cache"), strings.Contains(string(r.body), "Rafah point"))
			}
			if r := get(t, rf); r.header.Get("X-Cache") != "hit" {
				t.Errorf("Rafah tile asked again: X-Cache %q", r.header.Get("X-Cache"))
			}

			post("kg2", kgLon+0.001, kgLat, "Centre two")
			if r := get(t, kg); r.header.Get("X-Cache") != "miss" || !strings.Contains(string(r.body), "Centre two") || r.header.Get("ETag") == cached.header.Get("ETag") {
				t.Errorf("Kiryat Gat tile after a write there: X-Cache %q, ETag %q", r.header.Get("X-Cache"), r.header.Get("ETag"))
			}
			if r := get(t, rf); r.header.Get("X-Cache") != "hit" {
				t.Errorf("Rafah tile after a write in Kiryat Gat: X-Cache %q", r.header.Get("X-Cache"))
			}
		})
	}
}
