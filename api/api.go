// Package api serves Strata over HTTP: OGC API – Features Part 1 Core
// (landing page, conformance, OpenAPI, collections, items), the embedded
// map front end and its basemap.
//
// New builds a Server from a Config; Server.Handler returns the complete
// http.Handler with CORS, compression, ETags and error mapping. The
// package never opens databases or reads flags: main wires a geo.Store
// and the embedded file systems in.
package api

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/gorilla/mux"
	"github.com/klauspost/compress/gzhttp"

	"strata/data/tilefile"
	"strata/geo"
	"strata/internal/gate"
	"strata/tiles"
)

// Config configures a Server. Store is required; the rest have defaults.
type Config struct {
	Store geo.Store
	// Ready, when set, says whether the store is ready to serve at speed
	// (its indexes built): /readyz answers 503 until it returns nil.
	Ready func(ctx context.Context) error
	// Static is the front end, served at /; nil serves none.
	Static fs.FS
	// Basemap holds the offline basemap files, served at /basemap/.
	Basemap fs.FS
	// BaseURL, when set, is the absolute URL clients reach the server at
	// (such as https://maps.example.org/strata); otherwise links are built
	// from each request's Host header.
	BaseURL string
	// CORSOrigins lists the origins allowed to read; empty or "*" allows
	// any origin. Writes from other origins than the server's own are
	// allowed only from the origins listed by name ("*" allows none).
	CORSOrigins []string
	// ReadOnly refuses every write (405), whatever the tokens: for a
	// server whose database is opened read-only.
	ReadOnly bool
	// MaxBodyBytes bounds the body of a write; larger ones get 413. 0
	// means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// DefaultLimit and MaxLimit bound the items page size; see
	// DefaultItemsLimit and MaxItemsLimit.
	DefaultLimit, MaxLimit int
	// Version is the program version shown in the OpenAPI document.
	Version string
	// Briefings serves /briefings when set.
	Briefings geo.BriefingStore
	// PageCacheBytes bounds the cache of items pages by data version
	// (pagecache.go); 0 turns it off.
	PageCacheBytes int64
	// TileCacheBytes bounds the in-memory vector tile cache; 0 turns the
	// cache off.
	TileCacheBytes int64
	// BasemapLayers, when set, holds the offline basemap's layers, served
	// as vector tiles at /basemap/tiles/{z}/{x}/{y}.mvt (see basemap.go).
	BasemapLayers geo.Store
	// UserBasemap, when set, is a user's own vector basemap (a PMTiles
	// file), served at /basemap/user/{z}/{x}/{y}.mvt (see userbasemap.go).
	UserBasemap *tilefile.Archive
	// Logger receives request failures; nil uses slog.Default().
	Logger *slog.Logger
	// MaxQueries is how many items pages and tiles are computed at once;
	// more wait their turn in arrival order (see internal/gate). 0 means
	// one per core (runtime.GOMAXPROCS); a negative value means no limit.
	MaxQueries int
	// AccessLog, when set, logs every request to Logger at level Info:
	// method, URL (secrets in the query redacted), route, status, bytes,
	// time taken, client address and user agent, never an Authorization
	// header's value.
	AccessLog bool
	// StallTimeout is how long one write of an answer may wait for the
	// client to read before the server drops the connection; WriteTimeout
	// bounds the whole answer, from the request's start. 0 means
	// DefaultStallTimeout and DefaultWriteTimeout; a negative value means
	// no bound. See writeDeadlines.
	StallTimeout, WriteTimeout time.Duration
	// FrameAncestors lists the sources that may frame the site's pages,
	// as ParseFrameAncestors returns them; nil means
	// DefaultFrameAncestors. See securityHeaders.
	FrameAncestors []string
	// QueueTimeout is how long a query waits for its turn before the
	// server answers 503 with Retry-After. 0 means DefaultQueueTimeout; a
	// negative value means as long as the client waits.
	QueueTimeout time.Duration
}

// DefaultMaxBodyBytes is the default Config.MaxBodyBytes.
const DefaultMaxBodyBytes = 4 << 20

// DefaultQueueTimeout is the default Config.QueueTimeout.
const DefaultQueueTimeout = 30 * time.Second

// Default page sizes for items.
const (
	DefaultItemsLimit = 100
	MaxItemsLimit     = 10000
)

// Server is the HTTP front of a geo.Store.
type Server struct {
	cfg   Config
	store geo.Store
	log   *slog.Logger
	tiles *tiles.Renderer
	// pages caches items pages by data version; nil when off.
	pages *pageCache
	// pastTiles draws tiles as known at an asof instant, with a cache of
	// its own (see handleTile).
	pastTiles *tiles.Renderer
	router    *mux.Router
	gate      *gate.Gate // nil: no limit
	// security holds the headers sent with every answer.
	security http.Header
	metrics  *metrics
	// tokens holds the writers' tokens, read from the store (auth.go).
	tokens *tokenCache
	// hub announces new changesets to /changes/stream (stream.go).
	hub *hub
	// queryablesCache keeps the queryables of layers (queryables.go).
	queryablesCache queryablesCache
}

// Close stops the change feed: its streams end. The handler still
// answers other requests.
func (s *Server) Close() error {
	s.hub.close()
	return nil
}

// New returns a Server for cfg. It panics if the HTTP pages of
// cfg.Static name an online basemap (the strata-tiles-url meta tag) that
// is not an absolute URL, as the Content-Security-Policy must name it.
func New(cfg Config) *Server {
	if cfg.DefaultLimit <= 0 {
		cfg.DefaultLimit = DefaultItemsLimit
	}
	if cfg.MaxLimit <= 0 {
		cfg.MaxLimit = MaxItemsLimit
	}
	cfg.DefaultLimit = min(cfg.DefaultLimit, cfg.MaxLimit)
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.StallTimeout == 0 {
		cfg.StallTimeout = DefaultStallTimeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger}
	s.tokens = &tokenCache{store: cfg.Store}
	s.hub = newHub(s)
	if cfg.QueueTimeout == 0 {
		cfg.QueueTimeout = DefaultQueueTimeout
	}
	switch {
	case cfg.MaxQueries == 0:
		s.gate = gate.New(runtime.GOMAXPROCS(0), cfg.QueueTimeout)
	case cfg.MaxQueries > 0:
		s.gate = gate.New(cfg.MaxQueries, cfg.QueueTimeout)
	}
	var err error
	if s.security, err = securityHeaders(cfg.Static, cfg.FrameAncestors); err != nil {
		panic("api: the front end's pages: " + err.Error()) // the embedded files are wrong
	}
	s.pages = newPageCache(cfg.PageCacheBytes)
	s.tiles = tiles.NewRenderer(tiles.Options{CacheBytes: cfg.TileCacheBytes, Admit: s.admit})
	s.pastTiles = tiles.NewRenderer(tiles.Options{CacheBytes: cfg.TileCacheBytes / 4, Admit: s.admit, PastOnly: true})
	s.metrics = s.newMetrics()
	s.router = s.routes()
	return s
}

// Handler returns the server's complete handler.
func (s *Server) Handler() http.Handler {
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(512))
	if err != nil {
		panic(err) // only bad static options cause this
	}
	return s.writeDeadlines(s.observe(s.recoverPanics(s.secure(s.cors(headAsGet(gz(s.router)))))))
}

// headAsGet answers HEAD exactly as GET, headers included: the handlers
// and the compressor see a GET, and net/http drops the body written for
// a HEAD request. (gzhttp leaves HEAD answers uncompressed, so they
// lacked the Content-Encoding the GET answer has.) A HEAD costs what its
// GET costs; clients send few.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.WithContext(r.Context()) // a copy, to change
			r.Method = http.MethodGet
		}
		next.ServeHTTP(w, r)
	})
}

// dataHandler answers a request for data from one snapshot of the store.
type dataHandler func(w http.ResponseWriter, r *http.Request, snap geo.Snapshot)

// read takes a snapshot of the store for h: every query of one request
// reads the same version of the data, the count of a page included,
// whatever writes commit meanwhile.
func (s *Server) read(h dataHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		snap, err := s.store.Snapshot(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, snap)
	}
}

// admit takes a query place (see internal/gate) for a tile to be drawn,
// and returns the function that gives it back.
func (s *Server) admit(ctx context.Context) (func(), error) {
	if err := s.gate.Enter(ctx); err != nil {
		return nil, err
	}
	return s.gate.Leave, nil
}

// routes maps every path to its handler. Reads answer GET and HEAD (and
// OPTIONS for CORS preflight); other methods get 405.
func (s *Server) routes() *mux.Router {
	r := mux.NewRouter()
	r.StrictSlash(false)
	get := func(path string, h http.HandlerFunc) {
		r.HandleFunc(path, h).Methods(http.MethodGet, http.MethodHead)
		r.HandleFunc(path, s.handleOptions).Methods(http.MethodOptions)
		// A trailing slash reaches the same resource: some clients add one.
		if path != "/" {
			r.HandleFunc(path+"/", h).Methods(http.MethodGet, http.MethodHead)
			r.HandleFunc(path+"/", s.handleOptions).Methods(http.MethodOptions)
		}
	}
	// Requests for data read one snapshot of the store (see read).
	data := func(path string, h dataHandler) { get(path, s.read(h)) }
	// Those that take asof read the snapshot it names (see readAsOf).
	dataAsOf := func(path string, h dataHandler) { get(path, s.readAsOf(h)) }
	r.Use(labelRoute)
	s.tilePaths(dataAsOf)
	// HTML pages, for requests that ask for them (html.go).
	s.htmlRoutes(r)
	get("/", s.handleLanding)
	get("/healthz", s.handleHealth)
	get("/readyz", s.handleReady)
	get("/metrics", s.handleMetrics())
	get("/conformance", s.handleConformance)
	get("/api", s.handleOpenAPI)
	get("/api.html", s.handleAPIDoc)
	// Writes, and the OPTIONS of items and features, before the reads.
	s.writeRoutes(r)
	dataAsOf("/collections", s.handleCollections)
	dataAsOf("/collections/{collectionId}", s.handleCollection)
	dataAsOf("/collections/{collectionId}/items", s.handleItems)
	dataAsOf("/collections/{collectionId}/items/{featureId}", s.handleFeature)
	dataAsOf("/collections/{collectionId}/histogram", s.handleHistogram)
	dataAsOf("/collections/{collectionId}/queryables", s.handleQueryables)
	dataAsOf("/collections/{collectionId}/schema", s.handleSchema)
	dataAsOf("/collections/{collectionId}/geojson-schema", s.handleFeatureSchema)
	s.tileRoutes(get, data)
	// Finding and comparing (find.go, diff.go).
	dataAsOf("/search", s.handleSearch)
	dataAsOf("/diff", s.handleDiff)
	s.historyRoutes(get, data, dataAsOf)
	data("/token", s.handleToken)
	s.basemapRoutes(get)
	s.userBasemapRoutes(get)
	if s.cfg.Briefings != nil {
		get("/briefings", s.handleBriefings)
		get("/briefings/{briefingId}", s.handleBriefing)
		// The export is built from the server's own front end and
		// basemap, so it exists only when both are served.
		if s.cfg.Static != nil && s.cfg.Basemap != nil {
			data("/briefings/{briefingId}/export.html", s.handleExport)
		}
	}
	if s.cfg.Basemap != nil {
		r.PathPrefix("/basemap/").Methods(http.MethodGet, http.MethodHead).Name("/basemap/{file}").
			Handler(s.files(s.cfg.Basemap, "/basemap/", "public, max-age=86400"))
	}
	if s.cfg.Static != nil {
		r.PathPrefix("/").Methods(http.MethodGet, http.MethodHead).Name("/{file}").
			Handler(s.files(s.cfg.Static, "", "public, max-age=300"))
	}
	r.MethodNotAllowedHandler = http.HandlerFunc(s.handleMethodNotAllowed)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, geo.NotFoundf("no resource at %s", r.URL.Path))
	})
	return r
}
