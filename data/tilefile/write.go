package tilefile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
)

// Tile is one vector tile to write: its address (XYZ order) and its MVT
// bytes, uncompressed.
type Tile struct {
	Z    uint8
	X, Y uint32
	Data []byte
}

// Write writes tiles as a PMTiles version 3 archive to w, with a root
// directory only (fine for the few thousand tiles of an extract), tiles
// gzip-compressed, and meta as its metadata. The header's zoom levels
// and bounds are those of the tiles. It is how tests make small
// basemaps; real ones come from the pmtiles tool.
func Write(w io.Writer, tiles []Tile, meta map[string]any) error {
	if len(tiles) == 0 {
		return errors.New("no tiles to write")
	}
	ts := append([]Tile(nil), tiles...)
	sort.Slice(ts, func(i, j int) bool {
		return tileID(ts[i].Z, ts[i].X, ts[i].Y) < tileID(ts[j].Z, ts[j].X, ts[j].Y)
	})
	var data bytes.Buffer
	var entries []entry
	minZ, maxZ := uint8(255), uint8(0)
	west, south, east, north := 180.0, 90.0, -180.0, -90.0
	for _, t := range ts {
		if t.Z > 30 || uint64(t.X) >= 1<<t.Z || uint64(t.Y) >= 1<<t.Z {
			return fmt.Errorf("tile %d/%d/%d is not a tile address", t.Z, t.X, t.Y)
		}
		id := tileID(t.Z, t.X, t.Y)
		if n := len(entries); n > 0 && entries[n-1].TileID == id {
			return fmt.Errorf("tile %d/%d/%d is given twice", t.Z, t.X, t.Y)
		}
		z := gzipped(t.Data)
		entries = append(entries, entry{TileID: id, Offset: uint64(data.Len()), Length: uint32(len(z)), RunLength: 1})
		data.Write(z)
		minZ, maxZ = min(minZ, t.Z), max(maxZ, t.Z)
		w0, n0 := tileCorner(t.Z, t.X, t.Y)
		e0, s0 := tileCorner(t.Z, t.X+1, t.Y+1)
		west, south, east, north = min(west, w0), min(south, s0), max(east, e0), max(north, n0)
	}
	root := gzipped(appendEntries(nil, entries))
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	metadata := gzipped(metaJSON)
	h := header{
		SpecVersion:         3,
		RootOffset:          headerLen,
		RootLength:          uint64(len(root)),
		MetadataOffset:      headerLen + uint64(len(root)),
		MetadataLength:      uint64(len(metadata)),
		AddressedTilesCount: uint64(len(entries)),
		TileEntriesCount:    uint64(len(entries)),
		TileContentsCount:   uint64(len(entries)),
		Clustered:           true,
		InternalCompression: gzipCompression,
		TileCompression:     gzipCompression,
		TileType:            mvtTile,
		MinZoom:             minZ,
		MaxZoom:             maxZ,
		MinLonE7:            int32(west * 1e7),
		MinLatE7:            int32(south * 1e7),
		MaxLonE7:            int32(east * 1e7),
		MaxLatE7:            int32(north * 1e7),
		CenterZoom:          minZ,
		CenterLonE7:         int32((west + east) / 2 * 1e7),
		CenterLatE7:         int32((south + north) / 2 * 1e7),
	}
	h.LeafDirectoryOffset = h.MetadataOffset + h.MetadataLength
	h.TileDataOffset = h.LeafDirectoryOffset
	h.TileDataLength = uint64(data.Len())
	for _, b := range [][]byte{appendHeader(nil, h), root, metadata, data.Bytes()} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// tileCorner returns the longitude and latitude of the north-west corner
// of tile z/x/y in Web Mercator.
func tileCorner(z uint8, x, y uint32) (lon, lat float64) {
	n := float64(uint64(1) << z)
	lon = float64(x)/n*360 - 180
	lat = math.Atan(math.Sinh(math.Pi*(1-2*float64(y)/n))) * 180 / math.Pi
	return lon, lat
}

// gzipped returns b compressed with gzip.
func gzipped(b []byte) []byte {
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}
