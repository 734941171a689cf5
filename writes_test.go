package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"strata/geo"
)

// Helpers of the end-to-end tests of writes: the real binary serving a
// real SQLite file, written over HTTP with a token made by the CLI.

// pointFC is a FeatureCollection of n points named prefix0…, spread over
// a box around Gaza, for `strata import`.
func pointFC(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		lon, lat := spread(i)
		b.Write(pointJSON(prefix+strconv.Itoa(i), lon, lat, "imported"))
	}
	b.WriteString("]}")
	return b.String()
}

// spread returns the i-th of a grid of places within 34.2-34.6 E,
// 31.2-31.6 N.
func spread(i int) (lon, lat float64) {
	return 34.2 + float64(i%97)*0.004, 31.2 + float64(i/97%97)*0.004
}

// pointJSON is one GeoJSON point feature with what Strata requires.
func pointJSON(id string, lon, lat float64, name string) []byte {
	return fmt.Appendf(nil, `{"type":"Feature","id":%q,"geometry":{"type":"Point","coordinates":[%.6f,%.6f]},`+
		`"properties":{"name":%q,"kind":"test","valid_from":"2024-01-01","valid_to":null,"precision_m":10,"sources":[{"title":"Test"}]}}`,
		id, lon, lat, name)
}

// makeToken creates a token with the CLI and returns its secret.
func makeToken(t *testing.T, db, name, layers string) string {
	t.Helper()
	code, stdout, stderr := runCLI(t, "", "token", "create", "-db", db, "-name", name, "-layers", layers)
	if code != 0 {
		t.Fatalf("token create: %s", stderr)
	}
	return lastLine(stdout)
}

// answer is the outcome of one HTTP request.
type answer struct {
	status int
	// etag is the version number of the ETag header, 0 without one.
	etag int
	body []byte
}

// send makes one request with the token (when not empty) and the
// If-Match version (when above 0), and reads the whole answer.
func send(ctx context.Context, client *http.Client, method, url, token string, ifMatch int, contentType string, body []byte) (answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ifMatch > 0 {
		req.Header.Set("If-Match", strconv.Quote(strconv.Itoa(ifMatch)))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{status: res.StatusCode, etag: etagVersion(res.Header.Get("ETag")), body: b}, nil
}

// etagVersion returns the version number of a strong ETag `"n"`, or 0.
func etagVersion(h string) int {
	n, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || !strings.HasPrefix(h, `"`) {
		return 0
	}
	return n
}

// newClient returns a client with room for conns connections kept open.
func newClient(conns int, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: 2 * conns, MaxIdleConnsPerHost: 2 * conns,
	}}
}

// checkChangesetsWhole checks that every changeset recorded in snap after
// changeset after is whole: each feature version it lists can be read
// (a sample of 200 in a large one), and its counts agree with its
// entries. It returns the changesets,
// newest first.
func checkChangesetsWhole(t *testing.T, ctx context.Context, snap geo.Snapshot, after int64) []geo.Changeset {
	t.Helper()
	all, err := snap.Changes(ctx, geo.ChangeFilter{After: after})
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range all {
		_, entries, err := snap.Changeset(ctx, cs.ID)
		if err != nil {
			t.Fatalf("changeset %d: %v", cs.ID, err)
		}
		counts := map[geo.EditOp]int{}
		// Every version of a small changeset is read; of a large one (an
		// import), 200 spread over it.
		step := max(1, len(entries)/200)
		for i, e := range entries {
			counts[e.Op]++
			if e.Op == geo.OpDelete || (i%step != 0 && i != len(entries)-1) {
				continue
			}
			if _, v, err := snap.FeatureVersion(ctx, e.Layer, e.ID, e.Version); err != nil || v.Changeset != cs.ID {
				t.Errorf("changeset %d lists %s/%s version %d: %v (written by %d)", cs.ID, e.Layer, e.ID, e.Version, err, v.Changeset)
			}
		}
		if counts[geo.OpCreate] != cs.Created || counts[geo.OpReplace] != cs.Changed || counts[geo.OpDelete] != cs.Deleted || len(entries) == 0 {
			t.Errorf("changeset %d counts %d created, %d changed, %d deleted; its entries %v", cs.ID, cs.Created, cs.Changed, cs.Deleted, counts)
		}
	}
	return all
}
