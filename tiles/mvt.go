package tiles

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"unsafe"

	"github.com/paulmach/orb"
)

// mvtWriter writes the MVT protobuf of a tile, layer by layer, without
// building the tile in memory first: the output is what orb's
// encoding/mvt.Marshal writes for the same features (keys and values
// numbered in order of first use, each feature's properties in the order
// of their keys' names), byte for byte, as a test checks, but with no
// allocation per feature. It is reused from tile to tile.
type mvtWriter struct {
	tile  []byte // the layers written so far
	layer []byte // the current layer's features
	tags  []byte // scratch: a feature's packed tags
	geom  []byte // scratch: a feature's packed geometry

	// Per layer: the index of each key (keyUnused until used), the keys
	// in order of first use, the values in order of first use and the
	// index of each value by type.
	keyIndex [numKeys]int32
	keys     []propKey
	values   []mvtValue
	strings  strTable
	recent   [32]recentString // strings numbered lately, by address
	epoch    uint32           // the layer's number, for recent
	touched  byte             // kept so that endLayer's reads stay
	dates    numTable         // a valid-time bound's value, by the bound
	doubles  numTable         // by the bits of the value (0 for -0; NaN never found)
	ints     numTable
	trueIdx  int32

	prevX, prevY int32 // the geometry cursor
}

// propKey is a property key a tile feature may carry.
type propKey uint8

// The keys, in the order of their names (which is the order orb writes a
// feature's tags in).
const (
	keyCluster propKey = iota
	keyID
	keyKind
	keyName
	keyPointCount
	keyPrecision
	keyValidFrom
	keyValidTo
	numKeys
)

var keyNames = [numKeys]string{"cluster", "id", "kind", "name", "point_count", "precision_m", "valid_from", "valid_to"}

const keyUnused = -1

// mvtValue is an entry of a layer's value table.
type mvtValue struct {
	typ uint8 // valString, valDouble, valSint or valBool
	s   string
	f   float64
	i   int64
}

const (
	valString = iota
	valDouble
	valSint
	valBool
)

// MVT geometry types and commands.
const (
	geomPoint      = 1
	geomLineString = 2
	geomPolygon    = 3

	cmdMoveTo    = 1
	cmdLineTo    = 2
	cmdClosePath = 7
)

func newMVTWriter() *mvtWriter {
	return &mvtWriter{}
}

// reset empties w for another tile.
func (w *mvtWriter) reset() {
	w.tile = w.tile[:0]
	w.startLayer()
}

// startLayer empties the current layer.
func (w *mvtWriter) startLayer() {
	w.layer = w.layer[:0]
	for i := range w.keyIndex {
		w.keyIndex[i] = keyUnused
	}
	w.keys = w.keys[:0]
	clear(w.values) // drop references to strings
	w.values = w.values[:0]
	w.strings.empty()
	if w.epoch++; w.epoch == 0 { // wrapped: recent entries could match
		clear(w.recent[:])
		w.epoch = 1
	}
	w.dates.empty()
	w.doubles.empty()
	w.ints.empty()
	w.trueIdx = -1
}

// endLayer appends the current layer, named name, to the tile unless it
// has no features.
func (w *mvtWriter) endLayer(name string) {
	if len(w.layer) == 0 {
		return
	}
	body := len(name) + varintLen(uint64(len(name))) + 1 + len(w.layer)
	for _, k := range w.keys {
		s := keyNames[k]
		body += 1 + varintLen(uint64(len(s))) + len(s)
	}
	// Strings may lie anywhere in a store's memory, and copying them below
	// would wait for each in turn: read a byte of each here, in a loop
	// short enough for the processor to fetch many at once.
	var touch byte
	for i := range w.values {
		v := &w.values[i]
		n := v.size()
		body += 1 + varintLen(uint64(n)) + n
		if len(v.s) > 0 {
			touch ^= v.s[0] ^ v.s[len(v.s)-1]
		}
	}
	w.touched = touch
	body += 1 + varintLen(Extent) + 1 + 1 // extent, version
	b := append(w.tile, 0x1a)
	b = binary.AppendUvarint(b, uint64(body))
	b = appendBytesField(b, 0x0a, name)
	b = append(b, w.layer...)
	for _, k := range w.keys {
		b = appendBytesField(b, 0x1a, keyNames[k])
	}
	for i := range w.values {
		v := &w.values[i]
		b = append(b, 0x22)
		b = binary.AppendUvarint(b, uint64(v.size()))
		switch v.typ {
		case valString:
			b = appendBytesField(b, 0x0a, v.s)
		case valDouble:
			b = append(b, 0x19)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.f))
		case valSint:
			b = append(b, 0x30)
			b = binary.AppendUvarint(b, uint64(v.i<<1^v.i>>63))
		case valBool:
			b = append(b, 0x38, byte(v.i))
		}
	}
	b = append(b, 0x28)
	b = binary.AppendUvarint(b, Extent)
	b = append(b, 0x78, 2) // version 2
	w.tile = b
}

// size is the length of v's message.
func (v *mvtValue) size() int {
	switch v.typ {
	case valString:
		return 1 + varintLen(uint64(len(v.s))) + len(v.s)
	case valDouble:
		return 9
	case valSint:
		return 1 + varintLen(uint64(v.i<<1^v.i>>63))
	}
	return 2
}

func appendBytesField(b []byte, tag byte, s string) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func varintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// key returns the index of k in the layer's keys.
func (w *mvtWriter) key(k propKey) uint32 {
	if i := w.keyIndex[k]; i != keyUnused {
		return uint32(i)
	}
	w.keyIndex[k] = int32(len(w.keys))
	w.keys = append(w.keys, k)
	return uint32(len(w.keys) - 1)
}

func (w *mvtWriter) tagString(k propKey, s string) {
	w.appendTag(w.key(k), w.internString(s))
}

// internString returns the index of the string value s in the layer's
// value table, adding it the first time it is seen.
func (w *mvtWriter) internString(s string) uint32 {
	// The same string (same bytes at the same address, such as a kind
	// from a store's table of kinds) is found without hashing it.
	p := unsafe.StringData(s)
	rc := &w.recent[uintptr(unsafe.Pointer(p))>>4%uintptr(len(w.recent))]
	if rc.p == p && rc.n == len(s) && rc.epoch == w.epoch && w.epoch != 0 {
		return rc.vi
	}
	vi := w.lookupString(s)
	*rc = recentString{p: p, n: len(s), epoch: w.epoch, vi: vi}
	return vi
}

// lookupString is internString by hash.
func (w *mvtWriter) lookupString(s string) uint32 {
	return w.lookupHashed(s, strHash(s))
}

// lookupHashed is lookupString of s, whose strHash is h.
func (w *mvtWriter) lookupHashed(s string, h uint32) uint32 {
	t := &w.strings
	t.reserve()
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.vi1 == 0 {
			vi := w.addValue(mvtValue{typ: valString, s: s})
			*sl = strSlot{hash: h, vi1: vi + 1}
			t.n++
			return vi
		}
		if sl.hash == h && w.values[sl.vi1-1].s == s {
			return sl.vi1 - 1
		}
	}
}

// tagBound tags a valid-time bound ms, written as its text: the text is
// formatted and looked up once a layer, its value index remembered by ms.
func (w *mvtWriter) tagBound(e *encoder, k propKey, ms int64) {
	vi, ok := w.dates.find(uint64(ms))
	if !ok {
		b := e.bound(ms)
		vi = w.lookupHashed(b.s, b.h)
		w.dates.add(uint64(ms), vi)
	}
	w.appendTag(w.key(k), vi)
}

func (w *mvtWriter) tagDouble(k propKey, f float64) {
	key := f
	if key == 0 {
		key = 0 // -0 is the value 0, as it is to a map
	}
	bits := math.Float64bits(key)
	vi, ok := w.doubles.find(bits)
	if !ok || f != f { // a NaN equals nothing, itself included
		vi = w.addValue(mvtValue{typ: valDouble, f: f})
		w.doubles.add(bits, vi)
	}
	w.appendTag(w.key(k), vi)
}

func (w *mvtWriter) tagInt(k propKey, i int64) {
	vi, ok := w.ints.find(uint64(i))
	if !ok {
		vi = w.addValue(mvtValue{typ: valSint, i: i})
		w.ints.add(uint64(i), vi)
	}
	w.appendTag(w.key(k), vi)
}

// addValue appends v to the layer's value table and returns its index.
func (w *mvtWriter) addValue(v mvtValue) uint32 {
	w.values = append(w.values, v)
	return uint32(len(w.values) - 1)
}

// appendTag appends one key/value index pair to the feature's tags.
func (w *mvtWriter) appendTag(ki, vi uint32) {
	w.tags = binary.AppendUvarint(binary.AppendUvarint(w.tags, uint64(ki)), uint64(vi))
}

func (w *mvtWriter) tagTrue(k propKey) {
	ki := w.key(k)
	if w.trueIdx < 0 {
		w.trueIdx = int32(len(w.values))
		w.values = append(w.values, mvtValue{typ: valBool, i: 1})
	}
	w.appendTag(ki, uint32(w.trueIdx))
}

// props writes the tags of a feature's properties (see
// encoder.properties), in the order of their keys.
func (w *mvtWriter) props(e *encoder, p *props) {
	w.tags = w.tags[:0]
	if p.distinct {
		// Texts found once in the layer: new values, no lookup.
		w.appendTag(w.key(keyID), w.addValue(mvtValue{typ: valString, s: p.id}))
	} else {
		w.tagString(keyID, p.id)
	}
	if p.kind != "" {
		w.tagString(keyKind, p.kind)
	}
	if p.name != "" {
		if p.distinct {
			w.appendTag(w.key(keyName), w.addValue(mvtValue{typ: valString, s: p.name}))
		} else {
			w.tagString(keyName, p.name)
		}
	}
	w.tagDouble(keyPrecision, p.precision)
	if !p.valid.IsOpenStart() {
		w.tagBound(e, keyValidFrom, p.valid.Start)
	}
	if !p.valid.IsOpenEnd() {
		w.tagBound(e, keyValidTo, p.valid.End)
	}
}

// clusterProps writes the tags of a cluster of n points.
func (w *mvtWriter) clusterProps(n int) {
	w.tags = w.tags[:0]
	w.tagTrue(keyCluster)
	w.tagInt(keyPointCount, int64(n))
}

// feature appends a feature of geometry type typ with the tags in w.tags
// and the geometry in w.geom.
func (w *mvtWriter) feature(typ int) {
	n := 0
	if len(w.tags) > 0 {
		n += 1 + varintLen(uint64(len(w.tags))) + len(w.tags)
	}
	n += 2
	if len(w.geom) > 0 {
		n += 1 + varintLen(uint64(len(w.geom))) + len(w.geom)
	}
	b := append(w.layer, 0x12)
	b = binary.AppendUvarint(b, uint64(n))
	if len(w.tags) > 0 {
		b = append(b, 0x12)
		b = binary.AppendUvarint(b, uint64(len(w.tags)))
		b = append(b, w.tags...)
	}
	b = append(b, 0x18, byte(typ))
	if len(w.geom) > 0 {
		b = append(b, 0x22)
		b = binary.AppendUvarint(b, uint64(len(w.geom)))
		b = append(b, w.geom...)
	}
	w.layer = b
}

// command starts a geometry command.
func (w *mvtWriter) command(id, count int) {
	w.geom = binary.AppendUvarint(w.geom, uint64(uint32(count)<<3|uint32(id)))
}

// point appends the position (x, y), relative to the cursor.
func (w *mvtWriter) point(x, y int32) {
	dx, dy := x-w.prevX, y-w.prevY
	w.prevX, w.prevY = x, y
	w.geom = binary.AppendUvarint(w.geom, uint64(uint32(dx<<1^dx>>31)))
	w.geom = binary.AppendUvarint(w.geom, uint64(uint32(dy<<1^dy>>31)))
}

// startGeom empties the geometry and resets the cursor.
func (w *mvtWriter) startGeom() {
	w.geom = w.geom[:0]
	w.prevX, w.prevY = 0, 0
}

// pointsGeom writes a point or multipoint geometry.
func (w *mvtWriter) pointsGeom(pts []tilePoint) {
	w.startGeom()
	w.command(cmdMoveTo, len(pts))
	for _, p := range pts {
		w.point(p.x, p.y)
	}
}

func (w *mvtWriter) pointGeom(x, y int32) {
	w.startGeom()
	w.command(cmdMoveTo, 1)
	w.point(x, y)
}

// shapeGeom writes a line or polygon geometry in tile units (a result of
// encoder.shape) as orb's encoder does, and returns its MVT type.
func (w *mvtWriter) shapeGeom(g orb.Geometry) int {
	w.startGeom()
	switch g := g.(type) {
	case orb.LineString:
		w.line(g)
		return geomLineString
	case orb.MultiLineString:
		for _, ls := range g {
			w.line(ls)
		}
		return geomLineString
	case orb.Polygon:
		w.rings(g)
	case orb.MultiPolygon:
		for _, p := range g {
			w.rings(p)
		}
	}
	return geomPolygon
}

func (w *mvtWriter) line(ls orb.LineString) {
	w.command(cmdMoveTo, 1)
	w.point(int32(ls[0][0]), int32(ls[0][1]))
	w.command(cmdLineTo, len(ls)-1)
	for _, p := range ls[1:] {
		w.point(int32(p[0]), int32(p[1]))
	}
}

func (w *mvtWriter) rings(p orb.Polygon) {
	for _, r := range p {
		w.command(cmdMoveTo, 1)
		w.point(int32(r[0][0]), int32(r[0][1]))
		rest := r[1:]
		if r.Closed() {
			rest = r[1 : len(r)-1]
		}
		w.command(cmdLineTo, len(rest))
		for _, q := range rest {
			w.point(int32(q[0]), int32(q[1]))
		}
		w.command(cmdClosePath, 1)
	}
}

// The tables below number a layer's values by their keys, in place of Go
// maps: open addressing with linear probing, each slot stamped with the
// epoch it was filled in, so that emptying a table for the next layer is
// a counter's increment rather than a pass over its memory.

// strTable finds string values by hash (see mvtWriter.internString), over
// a prefix of its slots sized for each layer (see fit) and cleared when
// the layer starts.
type strTable struct {
	slots []strSlot // a power of two long
	n     int       // slots in use
}

// strSlot is a string value's hash and index plus one; 0 is an empty slot.
type strSlot struct{ hash, vi1 uint32 }

// recentString remembers the value index of the string of n bytes at p in
// the layer epoch. Holding p keeps the bytes from being reused for
// another string while they are on the Go heap.
type recentString struct {
	p         *byte
	n         int
	epoch, vi uint32
}

// empty forgets every entry.
func (t *strTable) empty() {
	t.n = 0
	clear(t.slots)
}

// fit readies the empty table for about n entries: it uses a prefix of
// its slots no longer than needed, so that a layer of few values probes
// (and clears) memory that stays in the processor's cache rather than the
// whole table a large layer once grew. Entries past n still fit (see
// reserve).
func (t *strTable) fit(n int) {
	want := 256
	for want < 2*n {
		want *= 2
	}
	switch {
	case want <= len(t.slots):
		t.slots = t.slots[:want] // empty already
	case want <= cap(t.slots):
		old := len(t.slots)
		t.slots = t.slots[:want]
		clear(t.slots[old:])
	default:
		t.slots = make([]strSlot, want)
	}
}

// reserve makes room for one more entry, keeping the load at most a half.
func (t *strTable) reserve() {
	if 2*(t.n+1) <= len(t.slots) {
		return
	}
	old := t.slots
	if len(old) > 0 && cap(old) >= 2*len(old) {
		// Grow into the memory a larger layer left: move the entries out
		// of the way first.
		old = slices.Clone(old)
		t.slots = t.slots[:2*len(old)]
		clear(t.slots)
	} else {
		t.slots = make([]strSlot, max(2*len(old), 256))
	}
	mask := uint32(len(t.slots) - 1)
	for _, sl := range old {
		if sl.vi1 == 0 {
			continue
		}
		i := sl.hash & mask
		for t.slots[i].vi1 != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}

// hashSeed seeds the hashes of the string values of tiles, so that which
// strings collide differs from process to process. It is the same for
// every tile, so a string's hash may be remembered (see boundCache).
var hashSeed = maphash.Comparable(maphash.MakeSeed(), uint64(0x9e3779b97f4a7c15)) | 1

// strHash hashes s with hashSeed: eight bytes at a time, each folded in by a
// 128-bit multiplication in the manner of wyhash. It is inlined where
// maphash would be a call, and quicker on the short strings of tiles
// (ids, names); strings come from the store, whose writers are trusted.
func strHash(s string) uint32 {
	const m1, m2 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	h := hashSeed ^ uint64(len(s))*m1
	for len(b) >= 8 {
		h = fold(h^binary.LittleEndian.Uint64(b), m2)
		b = b[8:]
	}
	var v uint64
	for i, c := range b {
		v |= uint64(c) << (8 * i)
	}
	return uint32(fold(h^v, m1))
}

// fold multiplies x by m and folds the 128-bit product into 64 bits.
func fold(x, m uint64) uint64 {
	hi, lo := bits.Mul64(x, m)
	return hi ^ lo
}

// numTable finds values by a 64-bit key.
type numTable struct {
	slots []numSlot // a power of two long
	epoch uint32
	n     int
}

type numSlot struct {
	key       uint64
	epoch, vi uint32
}

// empty forgets every entry.
func (t *numTable) empty() {
	t.n = 0
	if t.epoch++; t.epoch == 0 {
		clear(t.slots)
		t.epoch = 1
	}
}

// numHash spreads a key over the slots (Fibonacci hashing).
func numHash(key uint64) uint32 { return uint32((key * 0x9e3779b97f4a7c15) >> 32) }

// find returns the value index of key, if it has one.
func (t *numTable) find(key uint64) (uint32, bool) {
	if t.n == 0 {
		return 0, false
	}
	mask := uint32(len(t.slots) - 1)
	for i := numHash(key) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.epoch != t.epoch {
			return 0, false
		}
		if sl.key == key {
			return sl.vi, true
		}
	}
}

// add gives key the value index vi. A key added twice is found with its
// first index.
func (t *numTable) add(key uint64, vi uint32) {
	if t.epoch == 0 {
		t.epoch = 1
	}
	if 2*(t.n+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]numSlot, max(2*len(old), 64))
		t.n = 0
		for _, sl := range old {
			if sl.epoch == t.epoch {
				t.insert(sl.key, sl.vi)
			}
		}
	}
	t.insert(key, vi)
}

func (t *numTable) insert(key uint64, vi uint32) {
	mask := uint32(len(t.slots) - 1)
	i := numHash(key) & mask
	for t.slots[i].epoch == t.epoch {
		i = (i + 1) & mask
	}
	t.slots[i] = numSlot{key: key, epoch: t.epoch, vi: vi}
	t.n++
}
