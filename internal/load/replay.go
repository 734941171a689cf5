package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// A Recording holds a server's responses to a list of paths, to be served
// again from memory: a load run against it measures the most a server
// could do on this machine for the same bytes, the limit issue 6 compares
// Strata with ("serving the same bytes from memory").
type Recording struct {
	responses map[string]recorded
	bytes     int64
}

type recorded struct {
	status      int
	contentType string
	body        []byte
}

// Record fetches each distinct path of paths once from baseURL (loopback
// only, without compression) and keeps the status, content type and body.
func Record(ctx context.Context, baseURL string, paths []string) (*Recording, error) {
	if err := CheckLoopback(baseURL); err != nil {
		return nil, err
	}
	client, tr := newClient(Config{Concurrency: 1})
	defer tr.CloseIdleConnections()
	rec := &Recording{responses: map[string]recorded{}}
	base := strings.TrimSuffix(baseURL, "/")
	for _, p := range paths {
		if _, ok := rec.responses[p]; ok {
			continue
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+p, nil)
		if err != nil {
			return nil, err
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		rec.responses[p] = recorded{res.StatusCode, res.Header.Get("Content-Type"), body}
		rec.bytes += int64(len(body))
	}
	return rec, nil
}

// Len returns the number of distinct paths recorded and their total body
// size in bytes.
func (rec *Recording) Len() (paths int, bytes int64) {
	return len(rec.responses), rec.bytes
}

// ServeHTTP answers a recorded path (with its query) with the recorded
// status, content type and body, and anything else with 404.
func (rec *Recording) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp, ok := rec.responses[r.URL.RequestURI()]
	if !ok {
		http.Error(w, "not recorded: "+r.URL.RequestURI(), http.StatusNotFound)
		return
	}
	h := w.Header()
	if resp.contentType != "" {
		h.Set("Content-Type", resp.contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	w.Write(resp.body)
}
