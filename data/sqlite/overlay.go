package sqlite

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"strata/geo"
	"strata/internal/spacetime"
)

// An in-memory index holds the rows current at the data version it was
// read at, its base B. Imports bump the layer's generation and the index
// is built again; a Commit does not, since rebuilding a large layer after
// every single-feature write would leave readers scanning. Instead an
// index serves every snapshot of its generation at a version V >= B with
// an overlay: the rows written after B and current at V, and the base
// rows closed at or before V. Queries merge both in the layer's stable
// order (pos: a replaced feature keeps its pos, a new one comes after
// every other). When the overlay grows past overlayLimit, the index is
// built again in the background and the new one takes over once ready.
//
// What an index learns of the changes after its base is kept in its
// overlayLog, shared by every version: rows never change once written but
// for being closed, and a closure never changes once made, so a change
// recorded for version V does not alter the answers at an earlier
// version. The log covers the changes in (B, upTo]; a snapshot at V >
// upTo first reads the changes in (upTo, V], once, from SQL.

// overlayRow is a row written after an index's base: what the index would
// hold of it, and what a vector tile shows of it.
type overlayRow struct {
	seq, pos               int64
	key                    uint64 // its place among the base ranks: see rankKey
	minX, minY, maxX, maxY float64
	valid                  geo.Interval
	recFrom                int64
	recTo                  atomic.Int64 // the version that closed it; 0 while none is known
	point                  bool         // the geometry is a Point
	id, name, kind         string
	precisionM             float64
}

// closure is a base row, by rank, closed at data version at.
type closure struct {
	rank uint32
	at   int64
}

// overlayLog is what an index knows of the changes after its base.
type overlayLog struct {
	mu   sync.Mutex // serialises extend
	upTo atomic.Int64
	rows atomic.Pointer[[]*overlayRow] // by recFrom; append only
	// sorted holds the first rows sorted for queries; the rows after them
	// (at most recentRows) are tested one by one.
	sorted    atomic.Pointer[sortedRows]
	recentMax int                       // recentRows but in tests
	closures  atomic.Pointer[[]closure] // by at; append only
	// closedAt holds, by base rank, the version that closed the row (0:
	// none known); allocated at the first closure.
	closedAt atomic.Pointer[[]atomic.Int64]
	bySeq    map[int64]*overlayRow // under mu
	latest   atomic.Pointer[overlay]
}

// sortedRows is the first merged rows of a log, sorted so that a query
// need not sort them nor look at every one: by key (rows of one key by
// recFrom), and the points among them by longitude, the others (wide) in
// the order written. Sorting them again as each row comes would cost the
// whole log at every version, so the rows after them wait, up to
// recentRows of them, and are merged in together.
type sortedRows struct {
	merged     int
	byKey, byX []*overlayRow
	wide       []*overlayRow
}

// recentRows is the most rows a log holds outside its sortedRows.
const recentRows = 256

// overlay is the view of an overlayLog at one data version v.
type overlay struct {
	v        int64
	closed   int // base rows closed at or before v
	closedAt []atomic.Int64
	// The rows of the log (see visible): those sorted, and the recent
	// ones after them, in the order written.
	sorted *sortedRows
	recent []*overlayRow
}

// empty reports whether the overlay changes nothing of its index.
func (ov *overlay) empty() bool {
	return len(ov.sorted.byKey) == 0 && len(ov.recent) == 0 && ov.closed == 0
}

// adds reports whether the overlay holds rows of its own (written after
// its index was built), current or not.
func (ov *overlay) adds() bool {
	return len(ov.sorted.byKey) > 0 || len(ov.recent) > 0
}

// visible reports whether overlay row r is current at the overlay's
// version: an overlay holds every row the log knows, later ones and
// closed ones included.
func (ov *overlay) visible(r *overlayRow) bool {
	if r.recFrom > ov.v {
		return false
	}
	to := r.recTo.Load()
	return to == 0 || to > ov.v
}

// isClosed reports whether the base row of rank r is closed at ov.v.
func (ov *overlay) isClosed(r uint32) bool {
	if ov.closed == 0 {
		return false
	}
	at := ov.closedAt[r].Load()
	return at != 0 && at <= ov.v
}

// defaultOverlayLimit is the most changes an overlay holds before its
// index is built again: 5% of the layer, at least 1024 and at most
// 16384. A query tests every row of the overlay, a few nanoseconds each
// (80 µs at most); a rebuild costs the whole layer (about 0.5 s of CPU
// at 200,000 points), so a small layer rebuilds no more often than every
// 1024 changes. With 1% (at most 4096), rebuilds took 13% of the server's
// CPU under 500 single-feature writes a second at 200,000 points.
func defaultOverlayLimit(n int) int { return min(16384, max(1024, n/20)) }

// overlayOf returns li's overlay at data version v, reading the changes
// it does not know yet, and starts a rebuild of the index when the
// overlay is large.
func (s *DB) overlayOf(ctx context.Context, li *layerIndex, v int64) (*overlay, error) {
	lg := &li.log
	if ov := lg.latest.Load(); ov != nil && ov.v == v {
		return ov, nil
	}
	if v > lg.upTo.Load() {
		if err := s.extend(ctx, li, v); err != nil {
			return nil, err
		}
	}
	ov := li.view(v)
	if old := lg.latest.Load(); old == nil || old.v < v {
		lg.latest.CompareAndSwap(old, ov)
	}
	if n := len(*lg.rows.Load()) + len(*lg.closures.Load()); n > s.overlayLimit(li.ix.Len()) {
		s.rebuild(li)
	}
	return ov, nil
}

// overlayLimit is the largest overlay of an index of n entries.
func (s *DB) overlayLimit(n int) int {
	if s.overlayMax > 0 {
		return s.overlayMax
	}
	return defaultOverlayLimit(n)
}

// view makes the overlay of li at version v from its log, which must
// cover v.
func (li *layerIndex) view(v int64) *overlay {
	lg := &li.log
	ov := &overlay{v: v}
	// Shared, not filtered: a version a second would each copy them.
	// sorted first: publish stores the rows first, so these rows hold at
	// least the sorted ones.
	ov.sorted = lg.sorted.Load()
	ov.recent = (*lg.rows.Load())[ov.sorted.merged:]
	cl := *lg.closures.Load()
	ov.closed = sort.Search(len(cl), func(i int) bool { return cl[i].at > v })
	if ca := lg.closedAt.Load(); ca != nil {
		ov.closedAt = *ca
	}
	return ov
}

// rankKey places a row written after li's base among the base ranks: a
// row that replaced a base row takes its rank, a new row (whose pos is
// above every other) comes after them all, in pos order.
func (li *layerIndex) rankKey(pos int64) (uint64, bool) {
	n := len(li.pos)
	i := sort.Search(n, func(i int) bool { return li.pos[i] >= pos })
	switch {
	case i < n && li.pos[i] == pos:
		return uint64(i), true
	case i == n && (n == 0 || pos > li.pos[n-1]):
		last := int64(0)
		if n > 0 {
			last = li.pos[n-1]
		}
		return uint64(n) + uint64(pos-last), true
	}
	return 0, false
}

// errOverlay is the error of changes that do not fit an index: the
// layer's order or rows are not what the index holds.
var errOverlay = errors.New("sqlite: the rows written after an index was built do not fit it")

// extend reads the changes to li's layer in (upTo, v] into its log.
func (s *DB) extend(ctx context.Context, li *layerIndex, v int64) error {
	lg := &li.log
	lg.mu.Lock()
	defer lg.mu.Unlock()
	from := lg.upTo.Load()
	if v <= from {
		return nil
	}
	conn, end, err := s.readTx(ctx)
	if err != nil {
		return err
	}
	defer end()
	rows, err := conn.QueryContext(ctx, `
		SELECT seq, pos, minx, miny, maxx, maxy, valid_from, valid_to, rec_from, id, name, kind, precision_m, geom
		FROM features INDEXED BY features_from WHERE layer_num = ? AND rec_from > ? AND rec_from <= ? ORDER BY rec_from, seq`,
		li.num, from, v)
	if err != nil {
		return err
	}
	// rows and closures grow in place: a reader holds a slice of what was
	// published, and appending writes only beyond its length (the array
	// is copied when it is full, as append does).
	added := *lg.rows.Load()
	for rows.Next() {
		r := &overlayRow{}
		var geom []byte
		if err := rows.Scan(&r.seq, &r.pos, &r.minX, &r.minY, &r.maxX, &r.maxY, &r.valid.Start, &r.valid.End, &r.recFrom,
			&r.id, &r.name, &r.kind, &r.precisionM, &geom); err != nil {
			rows.Close()
			return err
		}
		if err := checkOverlayRow(r); err != nil {
			rows.Close()
			return damaged(fmt.Sprint("number ", li.num), r.id, r.seq, err)
		}
		r.point = isWKBPoint(geom)
		var ok bool
		if r.key, ok = li.rankKey(r.pos); !ok {
			rows.Close()
			return errOverlay
		}
		added = append(added, r)
		lg.bySeq[r.seq] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = conn.QueryContext(ctx, `
		SELECT seq, pos, rec_from, rec_to FROM features INDEXED BY features_to
		WHERE layer_num = ? AND rec_to > ? AND rec_to <= ? AND rec_to < 9223372036854775807 ORDER BY rec_to, seq`,
		li.num, from, v)
	if err != nil {
		return err
	}
	defer rows.Close()
	closures := *lg.closures.Load()
	for rows.Next() {
		var seq, pos, recFrom, recTo int64
		if err := rows.Scan(&seq, &pos, &recFrom, &recTo); err != nil {
			return err
		}
		if recFrom > li.base {
			r := lg.bySeq[seq]
			if r == nil {
				return errOverlay
			}
			r.recTo.Store(recTo)
			continue
		}
		key, ok := li.rankKey(pos)
		if !ok || key >= uint64(len(li.pos)) || li.ix.Row(uint32(key)) != seq {
			return errOverlay
		}
		ca := lg.closedAt.Load()
		if ca == nil {
			s := make([]atomic.Int64, len(li.pos))
			ca = &s
			lg.closedAt.Store(ca)
		}
		(*ca)[key].Store(recTo)
		closures = append(closures, closure{rank: uint32(key), at: recTo})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	lg.publish(added, closures, v)
	return nil
}

// publish makes rows (the log's rows, then the new ones) and closures
// (likewise) the log's, up to version v. The caller holds lg.mu.
func (lg *overlayLog) publish(rows []*overlayRow, closures []closure, v int64) {
	lg.rows.Store(&rows) // before sorted: see view
	if sr := lg.sorted.Load(); len(rows)-sr.merged > lg.recentMax {
		pending := rows[sr.merged:]
		var points, wide []*overlayRow
		for _, r := range pending {
			if r.minX == r.maxX && r.minY == r.maxY {
				points = append(points, r)
			} else {
				wide = append(wide, r)
			}
		}
		lg.sorted.Store(&sortedRows{
			merged: len(rows),
			byKey:  mergeBy(sr.byKey, pending, func(r *overlayRow) uint64 { return r.key }),
			byX:    mergeBy(sr.byX, points, func(r *overlayRow) float64 { return r.minX }),
			wide:   append(slices.Clone(sr.wide), wide...),
		})
	}
	lg.closures.Store(&closures)
	lg.upTo.Store(v)
}

// closedRow is a row a Commit closed: its seq and pos.
type closedRow struct{ seq, pos int64 }

// learn adds what a Commit of this process wrote into layer num at
// version v (its new rows, and the rows it closed) to the log of the
// layer's index, if the log covers every version before v: readers then
// need not read it back (extend does otherwise, as for a write of
// another process). Anything that does not fit the index is left to
// extend, which reads it from SQL and decides.
func (s *DB) learn(num, v int64, added []*overlayRow, closed []closedRow) {
	s.ixMu.Lock()
	var li *layerIndex
	if sl := s.indexes[num]; sl != nil {
		li = sl.ix
	}
	s.ixMu.Unlock()
	if li == nil {
		return
	}
	lg := &li.log
	lg.mu.Lock()
	defer lg.mu.Unlock()
	if lg.upTo.Load() != v-1 {
		return
	}
	// Check everything before changing anything.
	for _, r := range added {
		var ok bool
		if r.key, ok = li.rankKey(r.pos); !ok {
			return
		}
	}
	keys := make([]uint64, len(closed))
	for i, c := range closed {
		if lg.bySeq[c.seq] != nil {
			continue
		}
		key, ok := li.rankKey(c.pos)
		if !ok || key >= uint64(len(li.pos)) || li.ix.Row(uint32(key)) != c.seq {
			return
		}
		keys[i] = key
	}
	rows, closures := *lg.rows.Load(), *lg.closures.Load()
	for _, r := range added {
		rows = append(rows, r)
		lg.bySeq[r.seq] = r
	}
	for i, c := range closed {
		if r := lg.bySeq[c.seq]; r != nil {
			r.recTo.Store(v)
			continue
		}
		ca := lg.closedAt.Load()
		if ca == nil {
			s := make([]atomic.Int64, len(li.pos))
			ca = &s
			lg.closedAt.Store(ca)
		}
		(*ca)[keys[i]].Store(v)
		closures = append(closures, closure{rank: uint32(keys[i]), at: v})
	}
	lg.publish(rows, closures, v)
}

// mergeBy returns the rows of old (ordered by by) and of added (by
// recFrom, all later than old's) in one new slice ordered by by, rows of
// equal order by recFrom.
func mergeBy[K cmp.Ordered](prev, added []*overlayRow, by func(*overlayRow) K) []*overlayRow {
	add := slices.Clone(added)
	slices.SortStableFunc(add, func(a, b *overlayRow) int { return cmp.Compare(by(a), by(b)) })
	out := make([]*overlayRow, 0, len(prev)+len(add))
	i, j := 0, 0
	for i < len(prev) || j < len(add) {
		// Equal order: the old row first, as it was written first.
		if j == len(add) || (i < len(prev) && by(prev[i]) <= by(add[j])) {
			out = append(out, prev[i])
			i++
		} else {
			out = append(out, add[j])
			j++
		}
	}
	return out
}

// matches calls fn, in key order, with each row current at the
// overlay's version that matches f by its bounds and valid time, and
// whether its bounds lie inside f's box (see matchRow).
func (ov *overlay) matches(f *geo.Filter, q *spacetime.Query, fn func(r *overlayRow, inside bool)) {
	type hit struct {
		r  *overlayRow
		in bool
	}
	var hits []hit
	test := func(rows []*overlayRow) {
		for _, r := range rows {
			if m, in := matchRow(f, q, r); m && ov.visible(r) {
				hits = append(hits, hit{r, in})
			}
		}
	}
	byKey := func(a, b hit) int { return cmp.Compare(a.r.key, b.r.key) }
	sr := ov.sorted
	if f.BBox == nil {
		// The sorted rows in order, the recent ones merged in.
		test(ov.recent)
		slices.SortStableFunc(hits, byKey)
		h := 0
		for _, r := range sr.byKey {
			for ; h < len(hits) && hits[h].r.key < r.key; h++ {
				fn(hits[h].r, hits[h].in)
			}
			if m, in := matchRow(f, q, r); m && ov.visible(r) {
				fn(r, in)
			}
		}
		for ; h < len(hits); h++ {
			fn(hits[h].r, hits[h].in)
		}
		return
	}
	between := func(lo, hi float64) {
		i, _ := slices.BinarySearchFunc(sr.byX, lo, func(r *overlayRow, x float64) int { return cmp.Compare(r.minX, x) })
		j := i
		for j < len(sr.byX) && sr.byX[j].minX <= hi {
			j++
		}
		test(sr.byX[i:j])
	}
	if b := f.BBox; b.CrossesAntimeridian() {
		between(b.MinLon, 180)
		between(-180, b.MaxLon)
	} else {
		between(b.MinLon, b.MaxLon)
	}
	test(sr.wide)
	test(ov.recent)
	slices.SortStableFunc(hits, byKey)
	for _, h := range hits {
		fn(h.r, h.in)
	}
}

// checkOverlayRow checks what extend read of a row, which it does not
// trust, as readColumns checks what an index is built from.
func checkOverlayRow(r *overlayRow) error {
	for _, x := range [...]float64{r.minX, r.minY, r.maxX, r.maxY} {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return errors.New("bounds are not finite")
		}
	}
	if !(r.minX <= r.maxX && r.minY <= r.maxY) {
		return errors.New("bounds are not a box")
	}
	if err := geo.CheckStoredInterval(r.valid); err != nil {
		return err
	}
	if !(r.precisionM >= 0 && r.precisionM <= 1e7) {
		return fmt.Errorf("precision_m %g is out of range", r.precisionM)
	}
	if !utf8.ValidString(r.id) || !utf8.ValidString(r.name) || !utf8.ValidString(r.kind) {
		return errors.New("a text column is not UTF-8")
	}
	return nil
}

// matchRow reports whether an overlay row matches f by its bounds and
// valid time, as scan selects rows, and whether its bounds lie inside
// f's box (see spacetime.Query.Inside).
func matchRow(f *geo.Filter, q *spacetime.Query, r *overlayRow) (match, inside bool) {
	if !(r.valid.Start <= f.Time.End && r.valid.End > f.Time.Start) {
		return false, false
	}
	if b := f.BBox; b != nil {
		if r.minY > b.MaxLat || r.maxY < b.MinLat {
			return false, false
		}
		if b.CrossesAntimeridian() {
			if !(r.maxX >= b.MinLon || r.minX <= b.MaxLon) {
				return false, false
			}
		} else if !(r.minX <= b.MaxLon && r.maxX >= b.MinLon) {
			return false, false
		}
	}
	return true, q.Inside(r.minX, r.minY, r.maxX, r.maxY)
}

// rebuild builds li's layer's index again in the background (at once
// with syncIndex), unless a build is under way; the new index serves the
// versions from its base on, and li those before.
func (s *DB) rebuild(li *layerIndex) {
	s.ixMu.Lock()
	defer s.ixMu.Unlock()
	sl := s.indexes[li.num]
	if sl == nil || sl.ix != li || sl.building || s.ctx.Err() != nil {
		return
	}
	sl.building = true
	if s.indexMode == syncIndex {
		ix, err := s.loadIndex(s.ctx, li.num, nil)
		sl.building = false
		if err == nil && ix.gen == li.gen {
			sl.prev, sl.ix = li, ix
		}
		return
	}
	s.builds.Add(1)
	go func() {
		defer s.builds.Done()
		published := false
		s.loadIndex(s.ctx, li.num, func(ix *layerIndex) {
			s.ixMu.Lock()
			defer s.ixMu.Unlock()
			sl.building = false
			published = true
			if sl.ix == li && ix.gen == li.gen {
				sl.prev, sl.ix = li, ix
			}
		})
		if !published {
			s.ixMu.Lock()
			sl.building = false
			s.ixMu.Unlock()
		}
	}()
}

// merged finds the matches of f at an index with a non-empty overlay, in
// the layer's stable order: it appends their seqs to sc.seqs and returns
// the number of matches. With decide, candidates whose bounds merely
// meet f's box are tested against their geometry first and offset and
// limit apply; without, every match is kept and those candidates are
// flagged in sc.partial, for fetch to test (sc.partial nil when none is).
func (s *DB) merged(ctx context.Context, li *layerIndex, ov *overlay, f geo.Filter, sc *scratch, decide bool) (int, error) {
	ix := li.ix
	q := spacetime.FilterQuery(f)
	sc.seqs, sc.partial = sc.seqs[:0], sc.partial[:0]
	offset := max(f.Offset, 0)
	if !decide {
		offset, f.Limit = 0, 0
	}
	// The overlay's matches, by key.
	type hit struct {
		r       *overlayRow
		partial bool
	}
	var hits []hit
	partialRows := 0
	ov.matches(&f, &q, func(r *overlayRow, in bool) {
		hits = append(hits, hit{r, !in})
		if !in {
			partialRows++
		}
	})
	var ranks []uint32
	if q.All() {
		// Every base row not closed matches: walk the ranks in order.
		n := ix.Len() - ov.closed + len(hits)
		want := n - offset
		if f.Limit > 0 {
			want = min(want, f.Limit)
		}
		skip, r, h := offset, 0, 0
		for len(sc.seqs) < want {
			for r < ix.Len() && ov.isClosed(uint32(r)) {
				r++
			}
			var seq int64
			if h < len(hits) && (r >= ix.Len() || hits[h].r.key < uint64(r)) {
				seq = hits[h].r.seq
				h++
			} else {
				seq = ix.Row(uint32(r))
				r++
			}
			if skip > 0 {
				skip--
				continue
			}
			sc.seqs = append(sc.seqs, seq)
		}
		sc.partial = nil
		return n, nil
	}
	ranks, partialBase := ix.Search(&q, sc.ranks[:0])
	sc.ranks = ranks
	kept := ranks[:0]
	for _, r := range ranks {
		if ov.isClosed(r &^ spacetime.Partial) {
			if r&spacetime.Partial != 0 {
				partialBase--
			}
			continue
		}
		kept = append(kept, r)
	}
	ranks = kept
	if decide && f.BBox != nil {
		var err error
		if partialBase > 0 {
			if ranks, err = s.exact(ctx, f.BBox, ix)(ranks); err != nil {
				return 0, err
			}
		}
		if partialRows > 0 {
			var cands []int64
			for _, h := range hits {
				if h.partial {
					cands = append(cands, -h.r.seq)
				}
			}
			pass, err := s.exactSeqs(ctx, f.BBox, cands)
			if err != nil {
				return 0, err
			}
			ok := make(map[int64]bool, len(pass))
			for _, q := range pass {
				ok[q] = true
			}
			out := hits[:0]
			for _, h := range hits {
				if !h.partial || ok[h.r.seq] {
					h.partial = false
					out = append(out, h)
				}
			}
			hits = out
		}
	}
	n := len(ranks) + len(hits)
	want := n - offset
	if f.Limit > 0 {
		want = min(want, f.Limit)
	}
	if decide {
		// No rank carries the Partial bit any more (see exact), and only
		// the first offset+want of the merged order are needed.
		ranks = spacetime.Smallest(ranks, offset+want)
	} else {
		slices.SortFunc(ranks, func(a, b uint32) int { return cmp.Compare(a&^spacetime.Partial, b&^spacetime.Partial) })
	}
	flagged := false
	for i, h, skip := 0, 0, offset; len(sc.seqs) < want; {
		var (
			seq     int64
			partial bool
		)
		if h < len(hits) && (i >= len(ranks) || hits[h].r.key < uint64(ranks[i]&^spacetime.Partial)) {
			seq, partial = hits[h].r.seq, hits[h].partial
			h++
		} else {
			r := ranks[i]
			seq, partial = ix.Row(r&^spacetime.Partial), r&spacetime.Partial != 0
			i++
		}
		if skip > 0 {
			skip--
			continue
		}
		sc.seqs = append(sc.seqs, seq)
		sc.partial = append(sc.partial, partial && !decide)
		flagged = flagged || (partial && !decide)
	}
	if !flagged {
		sc.partial = nil
	}
	return n, nil
}
