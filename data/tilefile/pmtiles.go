package tilefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strata/internal/hilbert"
)

// The PMTiles version 3 codec: the header, directories and tile ids of
// https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md. It is
// written here rather than imported from github.com/protomaps/go-pmtiles,
// whose one package also holds its server and cloud storage clients: that
// doubled the size of the strata binary and added hundreds of packages to
// every build. Its values are checked against go-pmtiles' in the tests
// (testdata/reference.pmtiles was written by go-pmtiles).

// headerLen is the length of a version 3 header.
const headerLen = 127

// compressionType is how directories or tiles are compressed.
type compressionType uint8

// Compression types.
const (
	unknownCompression compressionType = iota
	noCompression
	gzipCompression
	brotliCompression
	zstdCompression
)

// tileKind is the format of the tiles.
type tileKind uint8

// Tile types.
const (
	unknownTile tileKind = iota
	mvtTile
	pngTile
	jpegTile
	webpTile
	avifTile
	mltTile
)

// header is a version 3 header.
type header struct {
	SpecVersion                                              uint8
	RootOffset, RootLength                                   uint64
	MetadataOffset, MetadataLength                           uint64
	LeafDirectoryOffset, LeafDirectoryLength                 uint64
	TileDataOffset, TileDataLength                           uint64
	AddressedTilesCount, TileEntriesCount, TileContentsCount uint64
	Clustered                                                bool
	InternalCompression, TileCompression                     compressionType
	TileType                                                 tileKind
	MinZoom, MaxZoom                                         uint8
	MinLonE7, MinLatE7, MaxLonE7, MaxLatE7                   int32
	CenterZoom                                               uint8
	CenterLonE7, CenterLatE7                                 int32
}

// entry is a directory entry: RunLength tiles from TileID with the same
// content at Offset, or (RunLength 0) a leaf directory there.
type entry struct {
	TileID    uint64
	Offset    uint64
	Length    uint32
	RunLength uint32
}

// parseHeader reads a header from its headerLen bytes.
func parseHeader(b []byte) (header, error) {
	var h header
	if len(b) < headerLen {
		return h, errors.New("header too short")
	}
	if string(b[:7]) != "PMTiles" {
		return h, errors.New("magic number not found")
	}
	u64 := func(at int) uint64 { return binary.LittleEndian.Uint64(b[at:]) }
	i32 := func(at int) int32 { return int32(binary.LittleEndian.Uint32(b[at:])) }
	h.SpecVersion = b[7]
	h.RootOffset, h.RootLength = u64(8), u64(16)
	h.MetadataOffset, h.MetadataLength = u64(24), u64(32)
	h.LeafDirectoryOffset, h.LeafDirectoryLength = u64(40), u64(48)
	h.TileDataOffset, h.TileDataLength = u64(56), u64(64)
	h.AddressedTilesCount, h.TileEntriesCount, h.TileContentsCount = u64(72), u64(80), u64(88)
	h.Clustered = b[96] == 1
	h.InternalCompression, h.TileCompression = compressionType(b[97]), compressionType(b[98])
	h.TileType = tileKind(b[99])
	h.MinZoom, h.MaxZoom = b[100], b[101]
	h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7 = i32(102), i32(106), i32(110), i32(114)
	h.CenterZoom = b[118]
	h.CenterLonE7, h.CenterLatE7 = i32(119), i32(123)
	return h, nil
}

// appendHeader appends h's headerLen bytes to b.
func appendHeader(b []byte, h header) []byte {
	b = append(b, "PMTiles"...)
	b = append(b, h.SpecVersion)
	for _, v := range []uint64{h.RootOffset, h.RootLength, h.MetadataOffset, h.MetadataLength,
		h.LeafDirectoryOffset, h.LeafDirectoryLength, h.TileDataOffset, h.TileDataLength,
		h.AddressedTilesCount, h.TileEntriesCount, h.TileContentsCount} {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	clustered := byte(0)
	if h.Clustered {
		clustered = 1
	}
	b = append(b, clustered, byte(h.InternalCompression), byte(h.TileCompression), byte(h.TileType), h.MinZoom, h.MaxZoom)
	for _, v := range []int32{h.MinLonE7, h.MinLatE7, h.MaxLonE7, h.MaxLatE7} {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	b = append(b, h.CenterZoom)
	b = binary.LittleEndian.AppendUint32(b, uint32(h.CenterLonE7))
	return binary.LittleEndian.AppendUint32(b, uint32(h.CenterLatE7))
}

// parseEntries decodes an uncompressed directory. Each entry takes at
// least four bytes, so a count beyond len(b)/4 is refused before
// anything is allocated for it.
func parseEntries(b []byte) ([]entry, error) {
	r := bytes.NewReader(b)
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	if n > uint64(len(b))/4 {
		return nil, fmt.Errorf("directory: %d entries in %d bytes", n, len(b))
	}
	es := make([]entry, n)
	var id uint64
	for i := range es {
		d, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("directory: tile id %d: %w", i, err)
		}
		id += d
		es[i].TileID = id
	}
	read32 := func(what string, i int) (uint32, error) {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return 0, fmt.Errorf("directory: %s %d: %w", what, i, err)
		}
		if v > 1<<32-1 {
			return 0, fmt.Errorf("directory: %s %d is %d", what, i, v)
		}
		return uint32(v), nil
	}
	for i := range es {
		if es[i].RunLength, err = read32("run length", i); err != nil {
			return nil, err
		}
	}
	for i := range es {
		if es[i].Length, err = read32("length", i); err != nil {
			return nil, err
		}
	}
	for i := range es {
		v, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("directory: offset %d: %w", i, err)
		}
		if v == 0 && i > 0 {
			// Right after the previous entry's data.
			es[i].Offset = es[i-1].Offset + uint64(es[i-1].Length)
		} else {
			es[i].Offset = v - 1
		}
	}
	return es, nil
}

// appendEntries appends the uncompressed encoding of es, sorted by tile
// id, to b.
func appendEntries(b []byte, es []entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(es)))
	var last uint64
	for _, e := range es {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range es {
		if i > 0 && e.Offset == es[i-1].Offset+uint64(es[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return b
}

// findTile returns the entry of es (sorted by tile id) that holds id: the
// run that covers it, or the leaf directory (RunLength 0) that may.
func findTile(es []entry, id uint64) (entry, bool) {
	lo, hi := 0, len(es)-1
	for lo <= hi {
		k := int(uint(lo+hi) >> 1)
		switch {
		case id > es[k].TileID:
			lo = k + 1
		case id < es[k].TileID:
			hi = k - 1
		default:
			return es[k], true
		}
	}
	// es[hi] is the last entry before id.
	if hi >= 0 && (es[hi].RunLength == 0 || id-es[hi].TileID < uint64(es[hi].RunLength)) {
		return es[hi], true
	}
	return entry{}, false
}

// tileID is the PMTiles id of tile z/x/y: the tiles of lower zooms first,
// then the position on the zoom's Hilbert curve. z is at most 31.
func tileID(z uint8, x, y uint32) uint64 {
	acc := ((uint64(1) << (2 * uint64(z))) - 1) / 3 // 4⁰ + … + 4^(z-1)
	return acc + hilbert.Index(uint(z), uint64(x), uint64(y))
}
