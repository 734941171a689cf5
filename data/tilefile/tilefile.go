// Package tilefile reads a user's own vector basemap from a PMTiles
// archive (version 3) on the local disk, with the directory and header
// codec in pmtiles.go, so that Strata can serve it
// tile by tile with the network off (strata serve -basemap FILE.pmtiles).
//
// Nothing in the file is trusted: Open checks the header, the root
// directory and the metadata, and Tile checks every directory entry and
// tile it reads against the file's size, so a damaged or hostile file
// gives errors, never a panic or an unbounded allocation.
package tilefile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// ErrNoTile is returned by Tile for a tile the archive does not hold.
var ErrNoTile = errors.New("tilefile: no such tile")

const (
	// maxDirectoryBytes bounds one directory as stored and as decoded.
	maxDirectoryBytes = 16 << 20
	// maxMetadataBytes bounds the metadata JSON as stored and as decoded.
	maxMetadataBytes = 4 << 20
	// maxTileBytes bounds one tile as stored and as decoded.
	maxTileBytes = 16 << 20
	// maxDepth bounds the chain of leaf directories (the format uses 1).
	maxDepth = 4
	// leafCacheEntries bounds the leaf directories kept in memory.
	leafCacheEntries = 64
)

// Info describes an archive, from its header and metadata.
type Info struct {
	// MinZoom and MaxZoom are the zoom levels the archive holds.
	MinZoom int `json:"minzoom"`
	MaxZoom int `json:"maxzoom"`
	// Bounds is [west, south, east, north] in degrees.
	Bounds [4]float64 `json:"bounds"`
	// Center is [longitude, latitude, zoom].
	Center [3]float64 `json:"center"`
	// Name, Description and Attribution come from the metadata, when it
	// has them; Attribution is HTML, as in TileJSON.
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Attribution string `json:"attribution,omitempty"`
	// VectorLayers is the metadata's vector_layers, as stored.
	VectorLayers json.RawMessage `json:"vector_layers,omitempty"`
}

// Archive is an open PMTiles file of vector tiles. It is safe for
// concurrent use.
type Archive struct {
	f      *os.File
	size   uint64
	header header
	root   []entry
	info   Info

	mu     sync.Mutex
	leaves map[uint64][]entry // by offset in the leaf section
}

// Open opens the PMTiles archive at path and checks its header, root
// directory and metadata. Only vector tiles (MVT), stored without
// compression or with gzip, are accepted; the error says what is wrong.
func Open(path string) (*Archive, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	a, err := open(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func open(f *os.File) (*Archive, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	a := &Archive{f: f, size: uint64(st.Size()), leaves: map[uint64][]entry{}}
	if a.size < headerLen {
		return nil, errors.New("not a PMTiles archive: shorter than its header")
	}
	buf := make([]byte, headerLen)
	if _, err := f.ReadAt(buf, 0); err != nil {
		return nil, err
	}
	h, err := parseHeader(buf)
	if err != nil {
		return nil, fmt.Errorf("not a PMTiles archive: %w", err)
	}
	if h.SpecVersion != 3 {
		return nil, fmt.Errorf("PMTiles version %d is not supported; convert it to version 3 with the pmtiles tool", h.SpecVersion)
	}
	if h.TileType != mvtTile {
		return nil, fmt.Errorf("tiles are %s, not vector tiles (MVT)", tileType(h.TileType))
	}
	for _, c := range []struct {
		what string
		c    compressionType
	}{{"directories", h.InternalCompression}, {"tiles", h.TileCompression}} {
		if c.c != noCompression && c.c != gzipCompression {
			return nil, fmt.Errorf("%s are compressed with %s; only gzip or none are supported", c.what, compression(c.c))
		}
	}
	if h.MinZoom > h.MaxZoom || h.MaxZoom > 30 {
		return nil, fmt.Errorf("zoom levels %d to %d are not valid", h.MinZoom, h.MaxZoom)
	}
	for _, s := range []struct {
		what        string
		off, length uint64
	}{
		{"root directory", h.RootOffset, h.RootLength},
		{"metadata", h.MetadataOffset, h.MetadataLength},
		{"leaf directories", h.LeafDirectoryOffset, h.LeafDirectoryLength},
		{"tile data", h.TileDataOffset, h.TileDataLength},
	} {
		if s.off > a.size || s.length > a.size-s.off {
			return nil, fmt.Errorf("%s (%d bytes at %d) lie beyond the end of the file (%d bytes): the file is truncated or damaged", s.what, s.length, s.off, a.size)
		}
	}
	a.header = h
	if a.root, err = a.directory(h.RootOffset, h.RootLength); err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	if a.info, err = a.readInfo(); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	return a, nil
}

// Close closes the file.
func (a *Archive) Close() error { return a.f.Close() }

// Info returns the archive's zoom levels, bounds and metadata.
func (a *Archive) Info() Info { return a.info }

func (a *Archive) readInfo() (Info, error) {
	h := a.header
	info := Info{
		MinZoom: int(h.MinZoom),
		MaxZoom: int(h.MaxZoom),
		Bounds:  [4]float64{e7(h.MinLonE7), e7(h.MinLatE7), e7(h.MaxLonE7), e7(h.MaxLatE7)},
		Center:  [3]float64{e7(h.CenterLonE7), e7(h.CenterLatE7), float64(h.CenterZoom)},
	}
	if b := info.Bounds; b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90 || b[0] > b[2] || b[1] > b[3] {
		return Info{}, fmt.Errorf("bounds %v are not a box in longitude and latitude", b)
	}
	if h.MetadataLength == 0 {
		return info, nil
	}
	raw, err := a.read(h.MetadataOffset, h.MetadataLength, maxMetadataBytes)
	if err != nil {
		return Info{}, err
	}
	if raw, err = decompress(raw, h.InternalCompression, maxMetadataBytes); err != nil {
		return Info{}, err
	}
	var m struct {
		Name         string          `json:"name"`
		Description  string          `json:"description"`
		Attribution  string          `json:"attribution"`
		VectorLayers json.RawMessage `json:"vector_layers"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Info{}, fmt.Errorf("not a JSON object: %w", err)
	}
	info.Name, info.Description, info.Attribution = m.Name, m.Description, m.Attribution
	if len(m.VectorLayers) > 0 && m.VectorLayers[0] == '[' {
		info.VectorLayers = m.VectorLayers
	}
	return info, nil
}

// Tile returns the vector tile z/x/y (XYZ order, row 0 at the top),
// decompressed. A tile the archive does not hold is ErrNoTile; any other
// error means the file is damaged.
func (a *Archive) Tile(z uint8, x, y uint32) ([]byte, error) {
	if z < a.header.MinZoom || z > a.header.MaxZoom {
		return nil, ErrNoTile
	}
	id := tileID(z, x, y)
	dir := a.root
	for depth := 0; depth <= maxDepth; depth++ {
		e, ok := findTile(dir, id)
		if !ok {
			return nil, ErrNoTile
		}
		if e.RunLength > 0 {
			if uint64(e.Length) > a.header.TileDataLength || e.Offset > a.header.TileDataLength-uint64(e.Length) {
				return nil, fmt.Errorf("tile %d/%d/%d lies outside the tile data: the file is damaged", z, x, y)
			}
			raw, err := a.read(a.header.TileDataOffset+e.Offset, uint64(e.Length), maxTileBytes)
			if err != nil {
				return nil, err
			}
			return decompress(raw, a.header.TileCompression, maxTileBytes)
		}
		if depth == maxDepth {
			break
		}
		leaf, err := a.leaf(e)
		if err != nil {
			return nil, err
		}
		dir = leaf
	}
	return nil, fmt.Errorf("tile %d/%d/%d: leaf directories nest deeper than %d: the file is damaged", z, x, y, maxDepth)
}

// leaf returns the leaf directory entry e points at, from the cache or
// the file.
func (a *Archive) leaf(e entry) ([]entry, error) {
	a.mu.Lock()
	d, ok := a.leaves[e.Offset]
	a.mu.Unlock()
	if ok {
		return d, nil
	}
	h := a.header
	if uint64(e.Length) > h.LeafDirectoryLength || e.Offset > h.LeafDirectoryLength-uint64(e.Length) {
		return nil, errors.New("a leaf directory lies outside the leaf section: the file is damaged")
	}
	d, err := a.directory(h.LeafDirectoryOffset+e.Offset, uint64(e.Length))
	if err != nil {
		return nil, fmt.Errorf("leaf directory: %w", err)
	}
	a.mu.Lock()
	if len(a.leaves) >= leafCacheEntries {
		clear(a.leaves)
	}
	a.leaves[e.Offset] = d
	a.mu.Unlock()
	return d, nil
}

// directory reads and decodes the directory of length bytes at off, and
// checks that its tile ids ascend.
func (a *Archive) directory(off, length uint64) (entries []entry, err error) {
	raw, err := a.read(off, length, maxDirectoryBytes)
	if err != nil {
		return nil, err
	}
	if raw, err = decompress(raw, a.header.InternalCompression, maxDirectoryBytes); err != nil {
		return nil, err
	}
	if entries, err = parseEntries(raw); err != nil {
		return nil, fmt.Errorf("%w: the file is damaged", err)
	}
	for i := 1; i < len(entries); i++ {
		if entries[i].TileID <= entries[i-1].TileID {
			return nil, errors.New("the directory's tile ids do not ascend: the file is damaged")
		}
	}
	return entries, nil
}

// read reads length bytes at off, which must lie in the file and be at
// most max bytes.
func (a *Archive) read(off, length uint64, max int) ([]byte, error) {
	if length > uint64(max) {
		return nil, fmt.Errorf("a part of %d bytes is larger than the %d allowed", length, max)
	}
	if off > a.size || length > a.size-off {
		return nil, errors.New("a part lies beyond the end of the file: the file is truncated or damaged")
	}
	b := make([]byte, length)
	if _, err := a.f.ReadAt(b, int64(off)); err != nil {
		return nil, err
	}
	return b, nil
}

// decompress undoes compression c, reading at most max bytes.
func decompress(b []byte, c compressionType, max int) ([]byte, error) {
	if c == noCompression {
		return b, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not gzip data: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("gzip data is damaged: %w", err)
	}
	if len(out) > max {
		return nil, fmt.Errorf("a part decompresses to more than the %d bytes allowed", max)
	}
	return out, nil
}

func e7(v int32) float64 { return float64(v) / 1e7 }

func tileType(t tileKind) string {
	switch t {
	case pngTile:
		return "PNG images"
	case jpegTile:
		return "JPEG images"
	case webpTile:
		return "WebP images"
	case avifTile:
		return "AVIF images"
	case mltTile:
		return "MapLibre tiles (MLT)"
	}
	return fmt.Sprintf("of unknown type %d", t)
}

func compression(c compressionType) string {
	switch c {
	case brotliCompression:
		return "brotli"
	case zstdCompression:
		return "zstd"
	}
	return fmt.Sprintf("unknown compression %d", c)
}
