package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"strata/internal/pgtest"
)

// TestReplicasFollowEachOther runs two servers on one PostgreSQL
// database: a write through the first changes, on the second, within a
// second, the item's ETag, the tile that holds it and the change feed.
func TestReplicasFollowEachOther(t *testing.T) {
	db := pgtest.URL(t)
	a := startServer(t, db)
	b := startServer(t, db)
	token := makeToken(t, db, "replica-editor", "events")
	ctx := context.Background()
	client := newClient(4, 10*time.Second)

	lon, lat := 34.46, 31.50
	created, err := send(ctx, client, http.MethodPost, a.url+"/collections/events/items", token, 0, "application/geo+json", pointJSON("replica-1", lon, lat, "First name"))
	if err != nil || created.status != http.StatusCreated {
		t.Fatalf("create through the first server: %v %d %s", err, created.status, created.body)
	}
	item := "/collections/events/items/replica-1"
	tile := maptile.At(orb.Point{lon, lat}, 12)
	tilePath := fmt.Sprintf("/tiles/WebMercatorQuad/%d/%d/%d?datetime=2025-01-01", tile.Z, tile.Y, tile.X)

	// The second server sees the new feature, and draws it.
	waitFor(t, "the second server serves the created feature", func() bool {
		got, err := send(ctx, client, http.MethodGet, b.url+item, "", 0, "", nil)
		return err == nil && got.status == 200 && got.etag == created.etag
	})
	before := getRaw(t, client, b.url+tilePath)
	if !strings.Contains(string(before.body), "First name") {
		t.Fatalf("the tile on the second server does not hold the new feature")
	}

	// Follow the second server's change feed from now on.
	events := followStream(t, b.url)

	start := time.Now()
	replaced, err := send(ctx, client, http.MethodPut, a.url+item, token, created.etag, "application/geo+json", pointJSON("replica-1", lon, lat, "Second name"))
	if err != nil || replaced.status != http.StatusOK {
		t.Fatalf("replace through the first server: %v %d %s", err, replaced.status, replaced.body)
	}
	waitWithin(t, start, time.Second, "the second server's item ETag follows the write", func() bool {
		got, err := send(ctx, client, http.MethodGet, b.url+item, "", 0, "", nil)
		return err == nil && got.status == 200 && got.etag == replaced.etag
	})
	waitWithin(t, start, time.Second, "the second server's tile follows the write", func() bool {
		after := getRaw(t, client, b.url+tilePath)
		return after.tag != before.tag && strings.Contains(string(after.body), "Second name")
	})
	select {
	case line := <-events:
		if !strings.Contains(line, `"collections":["events"]`) {
			t.Errorf("the change feed announced %s", line)
		}
	case <-time.After(time.Second - time.Since(start)):
		t.Errorf("the second server's change feed announced nothing within 1 s of the write")
	}
}

// rawAnswer is a GET's status, ETag and body.
type rawAnswer struct {
	status int
	tag    string
	body   []byte
}

func getRaw(t *testing.T, client *http.Client, u string) rawAnswer {
	t.Helper()
	res, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawAnswer{res.StatusCode, res.Header.Get("ETag"), body}
}

// waitFor polls ok for up to 10 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	waitWithin(t, time.Now(), 10*time.Second, what, ok)
}

// waitWithin polls ok until it holds, failing t if it does not by
// start+limit.
func waitWithin(t *testing.T, start time.Time, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	for {
		if ok() {
			return
		}
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// followStream reads base's change feed and sends each changeset event's
// data line to the channel it returns.
func followStream(t *testing.T, base string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/changes/stream", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("/changes/stream: status %d", res.StatusCode)
	}
	out := make(chan string, 16)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok && strings.Contains(data, `"collections"`) {
				out <- data
			}
		}
	}()
	return out
}

// TestReplicaSurvivesLostDatabase serves PostgreSQL through a TCP proxy
// that the test cuts: data requests then get 503 (not 500, not a hang),
// /readyz says not ready, and once the proxy is back the server recovers
// by itself.
func TestReplicaSurvivesLostDatabase(t *testing.T) {
	db := pgtest.URL(t)
	// Seed first, straight on the database.
	seeder := startServer(t, db)
	seeder.stop(t)

	p := newCutProxy(t, unixSocket(t, db))
	u, _ := url.Parse(db)
	q := u.Query()
	q.Set("host", "127.0.0.1")
	q.Set("port", p.port())
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	srv := startServer(t, u.String())
	client := newClient(4, 20*time.Second)

	if r := getRaw(t, client, srv.url+"/collections/events/items?limit=1"); r.status != 200 {
		t.Fatalf("items through the proxy: %d %s", r.status, r.body)
	}
	p.cut()
	waitFor(t, "items answer 503 while the database is unreachable", func() bool {
		r := getRaw(t, client, srv.url+"/collections/events/items?limit=2")
		if r.status != 503 && r.status != 200 {
			t.Fatalf("items while the database is unreachable: %d %s", r.status, r.body)
		}
		return r.status == 503
	})
	if r := getRaw(t, client, srv.url+"/readyz"); r.status != 503 {
		t.Errorf("/readyz while the database is unreachable: %d %s", r.status, r.body)
	}
	if r := getRaw(t, client, srv.url+"/healthz"); r.status != 200 {
		t.Errorf("/healthz while the database is unreachable: %d (liveness does not depend on it)", r.status)
	}
	p.restore()
	waitFor(t, "the server recovers once the database is back", func() bool {
		r := getRaw(t, client, srv.url+"/collections/events/items?limit=3")
		return r.status == 200
	})
	if r := getRaw(t, client, srv.url+"/readyz"); r.status != 200 {
		t.Errorf("/readyz after recovery: %d %s", r.status, r.body)
	}
}

// unixSocket returns the path of the PostgreSQL socket a pgtest URL names.
func unixSocket(t *testing.T, db string) string {
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	host := u.Query().Get("host")
	if !strings.HasPrefix(host, "/") {
		t.Skipf("the test cluster is not on a Unix socket: %s", host)
	}
	port := u.Query().Get("port")
	if port == "" {
		port = "5432"
	}
	return host + "/.s.PGSQL." + port
}

// cutProxy forwards TCP connections on loopback to a Unix socket, until
// cut: then it closes every connection and refuses new ones.
type cutProxy struct {
	target string
	ln     net.Listener
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{target: target, ln: ln, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *cutProxy) port() string {
	_, port, _ := net.SplitHostPort(p.ln.Addr().String())
	return port
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("unix", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close(); c.Close() }()
		go func() { io.Copy(c, up); up.Close(); c.Close() }()
	}
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestReplicasKeepUntouchedTiles: on two servers over one PostgreSQL
// database, a write through the first invalidates on the second only the
// cached tiles it touched, as on one server: the second learns what
// changed from the database's changesets.
func TestReplicasKeepUntouchedTiles(t *testing.T) {
	db := pgtest.URL(t)
	a := startServer(t, db)
	b := startServer(t, db)
	token := makeToken(t, db, "replica-tiles", "events")
	ctx := context.Background()
	client := newClient(4, 10*time.Second)
	const kgLon, kgLat = 34.7642, 31.6100 // Kiryat Gat
	const rfLon, rfLat = 34.2500, 31.2900 // Rafah
	tileOf := func(lon, lat float64) string {
		tile := maptile.At(orb.Point{lon, lat}, 12)
		return fmt.Sprintf("%s/tiles/WebMercatorQuad/%d/%d/%d?datetime=2025-01-01", b.url, tile.Z, tile.Y, tile.X)
	}
	create := func(id string, lon, lat float64, name string) {
		t.Helper()
		r, err := send(ctx, client, http.MethodPost, a.url+"/collections/events/items", token, 0, "application/geo+json", pointJSON(id, lon, lat, name))
		if err != nil || r.status != http.StatusCreated {
			t.Fatalf("create %s through the first server: %v %d %s", id, err, r.status, r.body)
		}
		waitFor(t, "the second server serves "+id, func() bool {
			got, err := send(ctx, client, http.MethodGet, b.url+"/collections/events/items/"+id, "", 0, "", nil)
			return err == nil && got.status == 200
		})
	}
	create("kg-tile", kgLon, kgLat, "Kiryat Gat point")
	kg := tileOf(kgLon, kgLat)
	getRaw(t, client, kg)
	cached := getRaw(t, client, kg)
	if !strings.Contains(string(cached.body), "Kiryat Gat point") {
		t.Fatalf("the Kiryat Gat tile does not hold its point")
	}
	create("rf-tile", rfLon, rfLat, "Rafah point")
	res, err := client.Get(kg)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("X-Cache") != "hit" || res.Header.Get("ETag") != cached.tag {
		t.Errorf("the second server's Kiryat Gat tile after a write near Rafah: X-Cache %q ETag %q, want hit %q", res.Header.Get("X-Cache"), res.Header.Get("ETag"), cached.tag)
	}
	res, err = client.Get(tileOf(rfLon, rfLat))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("X-Cache") != "miss" || !strings.Contains(string(body), "Rafah point") {
		t.Errorf("the second server's Rafah tile: X-Cache %q, holds the new point: %v", res.Header.Get("X-Cache"), strings.Contains(string(body), "Rafah point"))
	}
}
