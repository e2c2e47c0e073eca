package check

import (
	"cmp"
	"iter"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/locklint/locklint/parse"
)

// bits is what is known about a lock at a point, over the paths that
// reach it: held on some path (bH), not held on some path (bN), not
// known on some path (bU: the function has not touched it, a caller may
// hold it).
type bits uint8

const (
	bH bits = 1 << iota
	bN
	bU
)

// key is a lock instance: its class and the object path it resolves to
// ("mm", "current->mm", "vma->vm_mm", "@812" for an object made at byte
// 812 of the file).
type key struct {
	class, inst string
}

// lockVal is a lock's state and where it was last taken or released.
type lockVal struct {
	b    bits
	site site
	spin bool // taken through a spinning primitive
	// passed is set once the lock's object went to a function that is not
	// analyzed: it may have released the lock, so lock-balance keeps quiet
	passed bool
	// waited: a wait out of sight was handed its object and may have
	// dropped it while sleeping (waitOn): not surely held any more, for
	// double-acquire; balance still counts it
	waited bool
}

// site is where something happened, for traces.
type site struct {
	pos  parse.Pos
	text string // the call as written
	note string // what it did, when not the call itself: " (takes ...)"
}

// full is the site as a trace shows it. Kept in two parts so that the
// dataflow, which builds sites on every pass, does not concatenate.
func (s site) full() string { return s.text + s.note }

// partition is the state along a set of paths that agree on the branch
// conditions they took (facts). Keeping paths with different facts apart
// is what lets `if (m) lock(m); ... if (m) unlock(m);` balance.
type partition struct {
	own   uint8 // which maps this partition may write (see clone)
	facts factSet
	// fh and lh hash the facts and the lock states, kept up to date on
	// every change (order-independent XOR of entry hashes): grouping and
	// comparing partitions looks at these first
	fh, lh uint64
	vars   varSet // variable -> object path
	locks  lockSet
	// published objects are shared now (guarded rules stop exempting them)
	published map[string]bool
	// seen holds, per call-order rule, whether a First call happened
	seen map[string]bits
	// tries are lock operations waiting for a branch on their result,
	// keyed by the condition text that tests it (the call, or the
	// variable that holds its result)
	tries map[string][]tryOp
}

type tryOp struct {
	op   lockOp
	k    key
	site site
	call string // the call, normalized
	// undo: the lock is taken already, and a zero (NULL) result says it
	// was not (acquire-nonnull)
	undo bool
}

func newPartition() *partition {
	return &partition{
		own:   ownFacts | ownVars | ownLocks | ownPublished | ownSeen | ownTries,
		facts: nil, vars: nil, locks: nil,
		published: map[string]bool{}, seen: map[string]bits{}, tries: map[string][]tryOp{},
	}
}

// clone shares the maps of p; whichever of the two writes a map first
// copies it (copy on write), so a partition that passes a block unchanged
// costs nothing.
func (p *partition) clone() *partition { return p.cloneInto(new(partition)) }

// cloneInto is clone into storage the caller allocated (for many at once).
func (p *partition) cloneInto(q *partition) *partition {
	*q = *p
	q.own = 0
	p.own = 0
	return q
}

const (
	ownFacts uint8 = 1 << iota
	ownVars
	ownLocks
	ownPublished
	ownSeen
	ownTries
)

// copyMap makes the private copy a write needs (see clone).
func copyMap[K comparable, V any](m map[K]V) map[K]V {
	c := make(map[K]V, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// factSet holds a partition's branch facts: few, so a slice.
type factSet []factEntry

type factEntry struct {
	f string
	v bool
	// at is the line where a call's answer was tested, when known: a
	// lock taken on a later line is taken after the answer, which may
	// have changed since (a line, not a position: the entry stays small,
	// and facts are copied often)
	at uint32
}

// entry is the fact f, if the set has it.
func (s factSet) entry(f string) (factEntry, bool) {
	for _, e := range s {
		if e.f == f {
			return e, true
		}
	}
	return factEntry{}, false
}

func (s factSet) lookup(f string) (bool, bool) {
	e, ok := s.entry(f)
	return e.v, ok
}

func (s factSet) all() iter.Seq2[string, bool] {
	return func(yield func(string, bool) bool) {
		for _, e := range s {
			if !yield(e.f, e.v) {
				return
			}
		}
	}
}

func (p *partition) wFacts() {
	if p.own&ownFacts == 0 {
		p.facts = append(make(factSet, 0, len(p.facts)+1), p.facts...)
		p.own |= ownFacts
	}
}

// retainFacts keeps the facts keep accepts.
func (p *partition) retainFacts(keep func(f string, v bool) bool) {
	drop := false
	for _, e := range p.facts {
		if !keep(e.f, e.v) {
			drop = true
			break
		}
	}
	if !drop {
		return
	}
	kept := make(factSet, 0, len(p.facts))
	for _, e := range p.facts {
		if keep(e.f, e.v) {
			kept = append(kept, e)
		} else {
			p.fh ^= factHash(e.f, e.v)
		}
	}
	p.facts = kept
	p.own |= ownFacts
}

// varSet maps a partition's variables to the objects they hold, sorted
// by variable: a copy for a write is one move, not a map rebuilt.
type varSet []varEntry

type varEntry struct{ k, v string }

func (s varSet) find(k string) (int, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		if m := int(uint(lo+hi) >> 1); s[m].k < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(s) && s[lo].k == k
}

// get is the object variable k holds, "" if none is known.
func (s varSet) get(k string) (string, bool) {
	if i, ok := s.find(k); ok {
		return s[i].v, true
	}
	return "", false
}

// same tells whether two variable sets are one slice (shared since a clone).
func (s varSet) same(t varSet) bool {
	return len(s) == len(t) && (len(s) == 0 || &s[0] == &t[0])
}

// equal tells whether two variable sets hold the same entries.
func (s varSet) equal(t varSet) bool { return s.same(t) || slices.Equal(s, t) }

func (p *partition) setVar(k, v string) {
	i, ok := p.vars.find(k)
	if ok && p.vars[i].v == v {
		return
	}
	if p.own&ownVars == 0 {
		p.vars, p.own = append(make(varSet, 0, len(p.vars)+1), p.vars...), p.own|ownVars
	}
	if ok {
		p.vars[i].v = v
		return
	}
	p.vars = slices.Insert(p.vars, i, varEntry{k, v})
}

// lockSet holds a partition's locks: a handful at a time, so a slice
// searched in order is cheaper to copy and to scan than a map.
type lockSet []lockEntry

type lockEntry struct {
	k key
	v lockVal
}

func (s lockSet) find(k key) int {
	for i := range s {
		if s[i].k == k {
			return i
		}
	}
	return -1
}

// lookup returns the state of k, if the set has it.
func (s lockSet) lookup(k key) (lockVal, bool) {
	if i := s.find(k); i >= 0 {
		return s[i].v, true
	}
	return lockVal{}, false
}

// all ranges over the locks.
func (s lockSet) all() iter.Seq2[key, lockVal] {
	return func(yield func(key, lockVal) bool) {
		for _, e := range s {
			if !yield(e.k, e.v) {
				return
			}
		}
	}
}

func (p *partition) wLocks() {
	if p.own&ownLocks == 0 {
		p.locks = append(make(lockSet, 0, len(p.locks)+1), p.locks...)
		p.own |= ownLocks
	}
}

func (p *partition) setLock(k key, v lockVal) {
	p.wLocks()
	if i := p.locks.find(k); i >= 0 {
		p.lh ^= lockHash(k, p.locks[i].v.b)
		p.locks[i].v = v
	} else {
		p.locks = append(p.locks, lockEntry{k, v})
	}
	p.lh ^= lockHash(k, v.b)
}

func (p *partition) delLock(k key) {
	i := p.locks.find(k)
	if i < 0 {
		return
	}
	p.wLocks()
	p.lh ^= lockHash(k, p.locks[i].v.b)
	p.locks = append(p.locks[:i], p.locks[i+1:]...)
}

// strHash is FNV-1a.
func strHash(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func lockHash(k key, b bits) uint64 {
	h := strHash(14695981039346656037, k.class)
	h = strHash(h^0xff, k.inst)
	return (h ^ uint64(b)) * 1099511628211
}

func factHash(f string, v bool) uint64 {
	h := strHash(14695981039346656037, f)
	if v {
		h ^= 0x9e3779b97f4a7c15
	}
	return h * 1099511628211
}

func (p *partition) wPublished() map[string]bool {
	if p.own&ownPublished == 0 {
		p.published, p.own = copyMap(p.published), p.own|ownPublished
	}
	return p.published
}

func (p *partition) setPublished(o string) { p.wPublished()[o] = true }
func (p *partition) delPublished(o string) { delete(p.wPublished(), o) }

func (p *partition) setSeen(r string, b bits) {
	if p.own&ownSeen == 0 {
		p.seen, p.own = copyMap(p.seen), p.own|ownSeen
	}
	p.seen[r] = b
}

func (p *partition) wTries() map[string][]tryOp {
	if p.own&ownTries == 0 {
		p.tries, p.own = copyMap(p.tries), p.own|ownTries
	}
	return p.tries
}

func (p *partition) addTry(c string, t tryOp) {
	w := p.wTries()
	old := w[c]
	n := make([]tryOp, len(old), len(old)+1)
	copy(n, old)
	w[c] = append(n, t)
}

func (p *partition) delTry(c string) { delete(p.wTries(), c) }

// get is a lock's bits; an untouched lock is unknown, unless its object
// was just allocated in this function, where no one can hold it.
func (p *partition) get(k key) lockVal {
	if v, ok := p.locks.lookup(k); ok {
		return v
	}
	if freshLock(k.inst) {
		return lockVal{b: bN}
	}
	return lockVal{b: bU}
}

// freshLock tells whether a lock is embedded in an object this function
// just allocated (`@!N->lock`, `@!N.a.lock`); not one reached through a
// pointer stored in it (`@!N[i]`, an array of pages, or `@!N->owner->lock`).
func freshLock(inst string) bool {
	rest, ok := strings.CutPrefix(inst, "@!")
	if !ok {
		return false
	}
	rest = strings.TrimLeft(rest, "0123456789")
	rest = strings.TrimPrefix(rest, "->")
	return !strings.Contains(rest, "->") && !strings.Contains(rest, "[")
}

// havoc forgets every lock and what was seen: code not shown ran here.
func (p *partition) havoc() {
	for len(p.locks) > 0 {
		p.delLock(p.locks[len(p.locks)-1].k)
	}
	p.seen, p.tries = map[string]bits{}, map[string][]tryOp{}
	p.own |= ownSeen | ownTries
}

// forget drops what is known about an object's locks: the call site that
// names it made a new object (the next loop iteration's page is not the
// one unlocked in the last).
func (p *partition) forget(obj string) {
	var gone []key
	for k := range p.locks.all() {
		if within(k.inst, obj) {
			gone = append(gone, k)
		}
	}
	for _, k := range gone {
		p.delLock(k)
	}
}

// renew makes obj a new object: the one it named before keeps its lock
// states under another name, with the variables still bound to it
// (`pmbp = pmbe;` before the loop's next `pmbe = pmb_alloc()`).
func (p *partition) renew(obj string) {
	has := false
	for k := range p.locks.all() {
		if within(k.inst, obj) {
			has = true
			break
		}
	}
	if !has {
		return // no lock state to keep apart (the common case: cheap)
	}
	old := obj + "~"
	kept := false
	for _, e := range p.vars {
		if v, o := e.k, e.v; within(o, obj) {
			p.setVar(v, old+o[len(obj):])
			kept = true
		}
	}
	if kept {
		p.forget(old)
		p.rename(obj, old)
		return
	}
	p.forget(obj)
}

// rename moves what is known of an object's locks to another name for
// it (a field the object was stored in).
func (p *partition) rename(from, to string) {
	if from == to {
		return
	}
	type moved struct {
		k key
		v lockVal
	}
	var ms []moved
	for k, v := range p.locks.all() {
		if within(k.inst, from) {
			ms = append(ms, moved{k, v})
		}
	}
	for _, m := range ms {
		p.delLock(m.k)
		p.setLock(key{class: m.k.class, inst: to + m.k.inst[len(from):]}, m.v)
	}
}

// setFact sets a fact.
func (p *partition) setFact(f string, v bool) { p.setFactAt(f, v, 0) }

// setFactAt is setFact, noting the line where a call's answer was
// tested (0: not a call's, or not known).
func (p *partition) setFactAt(f string, v bool, at uint32) {
	if old, ok := p.facts.entry(f); ok && old.v == v && old.at == at {
		return
	}
	p.wFacts()
	for i := range p.facts {
		if p.facts[i].f == f {
			p.fh ^= factHash(f, p.facts[i].v) ^ factHash(f, v)
			p.facts[i].v, p.facts[i].at = v, at
			return
		}
	}
	if len(p.facts) >= maxFactsPerPath {
		// the oldest fact goes: a path through a chain of thousands of
		// tests would otherwise carry them all, copied at every branch
		p.fh ^= factHash(p.facts[0].f, p.facts[0].v)
		p.facts = append(p.facts[:0], p.facts[1:]...)
	}
	p.facts = append(p.facts, factEntry{f: f, v: v, at: at})
	p.fh ^= factHash(f, v)
}

// maxFactsPerPath bounds the branch facts one partition keeps; real
// functions test far fewer conditions that matter to a lock.
const maxFactsPerPath = 128

// clearFacts forgets every fact.
func (p *partition) clearFacts() {
	p.facts, p.fh = nil, 0
	p.own |= ownFacts
}

// factsKey is a canonical form of the facts, for the debug output.
func (p *partition) factsKey() string {
	if len(p.facts) == 0 {
		return ""
	}
	ks := make([]string, 0, len(p.facts))
	for k, v := range p.facts.all() {
		if v {
			ks = append(ks, k)
		} else {
			ks = append(ks, "!"+k)
		}
	}
	sort.Strings(ks)
	return strings.Join(ks, "\x00")
}

// mergeInto folds q into p (same facts): union of lock bits, objects that
// disagree become a join object, published if published on every path,
// tries kept when identical.
func (p *partition) mergeInto(q *partition, joinName func(v, x, y string) string) {
	if len(p.locks) > maxLocksPerPath {
		// too many locks: the analysis gives up on the function
		// (tooManyLocks), and merging on would cost time and memory
		// quadratic in the number of paths that meet here
		return
	}
	// only what changes is written: a write copies a shared map (clone)
	if !p.locks.same(q.locks) {
		p.mergeLocks(q)
	}
	if !p.vars.same(q.vars) {
		p.mergeVars(q, joinName)
	}
	if !sameMap(p.published, q.published) {
		for o := range p.published {
			if !q.published[o] {
				p.delPublished(o)
			}
		}
	}
	if !sameMap(p.seen, q.seen) {
		for r, pb := range p.seen {
			if b := pb | q.seenBits(r); b != pb {
				p.setSeen(r, b)
			}
		}
		for r, qb := range q.seen {
			if _, ok := p.seen[r]; !ok {
				p.setSeen(r, qb|bN)
			}
		}
	}
	if !sameMap(p.tries, q.tries) {
		for c := range p.tries {
			if _, ok := q.tries[c]; !ok {
				p.delTry(c)
			}
		}
	}
}

// sameMap tells whether two maps are one (partitions cloned from one
// another share their maps until one writes): then they agree.
func sameMap[K comparable, V any](m, n map[K]V) bool {
	return reflect.ValueOf(m).UnsafePointer() == reflect.ValueOf(n).UnsafePointer()
}

// sameEntries tells whether every entry of m is in n with the same value
// (the caller compares the lengths).
func sameEntries[K, V comparable](m, n map[K]V) bool {
	if sameMap(m, n) {
		return true
	}
	for k, v := range m {
		if n[k] != v {
			return false
		}
	}
	return true
}

func (p *partition) mergeVars(q *partition, joinName func(v, x, y string) string) {
	for _, e := range p.vars { // (updates only: the keys stay where they are)
		if qo, ok := q.vars.get(e.k); !ok {
			p.setVar(e.k, joinName(e.k, e.v, e.k))
		} else if qo != e.v {
			p.setVar(e.k, joinName(e.k, e.v, qo))
		}
	}
	for _, e := range q.vars {
		if _, ok := p.vars.get(e.k); !ok {
			p.setVar(e.k, joinName(e.k, e.k, e.v))
		}
	}
}

// mergeLocks merges q's lock states into p's.
func (p *partition) mergeLocks(q *partition) {
	for k, qv := range q.locks.all() {
		old, had := p.locks.lookup(k)
		pv := old
		if !had {
			pv = p.get(k)
		}
		pv.b |= qv.b
		pv.passed = pv.passed || qv.passed
		pv.waited = pv.waited || qv.waited
		if pv.site.text == "" {
			pv.site = qv.site
		}
		if !had || pv != old {
			p.setLock(k, pv)
		}
	}
	for k, pv := range p.locks.all() {
		if _, ok := q.locks.lookup(k); !ok {
			if b := pv.b | q.get(k).b; b != pv.b {
				pv.b = b
				p.setLock(k, pv)
			}
		}
	}
}

// same tells whether two lock sets are one slice (shared since a clone).
func (s lockSet) same(t lockSet) bool {
	return len(s) == len(t) && (len(s) == 0 || &s[0] == &t[0])
}

func (p *partition) seenBits(rule string) bits {
	if b, ok := p.seen[rule]; ok {
		return b
	}
	return bN
}

// equal reports whether two partitions hold the same information.
func (p *partition) equal(q *partition) bool {
	if p.lh != q.lh || len(p.locks) != len(q.locks) || len(p.vars) != len(q.vars) || len(p.published) != len(q.published) ||
		len(p.seen) != len(q.seen) || len(p.tries) != len(q.tries) || !sameFacts(p, q) {
		return false
	}
	if !p.locks.same(q.locks) {
		for k, v := range p.locks.all() {
			if w, ok := q.locks.lookup(k); !ok || w.b != v.b {
				return false
			}
		}
	}
	// (published holds only true values, so comparing them is the test
	// for membership; tries compare by condition only)
	if !p.vars.equal(q.vars) || !sameEntries(p.published, q.published) || !sameEntries(p.seen, q.seen) {
		return false
	}
	if !sameMap(p.tries, q.tries) {
		for k := range p.tries {
			if _, ok := q.tries[k]; !ok {
				return false
			}
		}
	}
	return true
}

// state is the set of partitions at a point; nil means unreachable.
type state []*partition

// maxPartitions bounds path sensitivity; past it, partitions merge and
// lose their facts.
const maxPartitions = 4

// joinScratch is storage join reuses from one call to the next: the
// copies it merges into, and the partitions they copied.
type joinScratch struct {
	buf []partition
	src []*partition
}

// join merges states that meet at a block (scratch may be nil).
func join(ins []state, joinName func(v, x, y string) string, flags map[string]bool, scratch *joinScratch) state {
	if len(ins) == 1 && settled(ins[0]) {
		// one way in, its partitions already apart and in order: the
		// state passes as it is (the block that runs it copies on write)
		return ins[0]
	}
	n := 0
	for _, s := range ins {
		n += len(s)
	}
	if scratch == nil {
		scratch = &joinScratch{}
	}
	if cap(scratch.buf) < n {
		scratch.buf = make([]partition, n)
		scratch.src = make([]*partition, n)
	}
	// the merges work on copies in scratch storage; keepMerged moves
	// those written to the heap
	buf, src := scratch.buf[:n], scratch.src[:n]
	var out state
	for _, s := range ins {
		for _, p := range s {
			if g := sameGroup(out, p); g != nil {
				g.mergeInto(p, joinName)
				continue
			}
			src[len(out)] = p
			out = append(out, p.cloneInto(&buf[len(out)]))
		}
	}
	if len(out) == 0 {
		return nil
	}
	sortByFacts(out)
	if len(out) > maxPartitions {
		out = mergeByLocks(out, joinName)
	}
	if len(out) > maxPartitions && len(flags) > 0 {
		out = mergeByFlags(out, joinName, flags)
	}
	if len(out) > maxPartitions {
		all := out[0]
		for _, p := range out[1:] {
			all.mergeShared(p, joinName)
		}
		out = state{all}
	}
	keepMerged(out, buf, src)
	return out
}

// keepMerged replaces the partitions of out that are copies in buf: by
// the partition copied (src) where the join wrote nothing to the copy,
// by a copy on the heap where it did.
func keepMerged(out state, buf []partition, src []*partition) {
	var heap []partition
	for i, q := range out {
		k := 0
		for k = range buf {
			if &buf[k] == q {
				break
			}
		}
		if k == len(buf) || &buf[k] != q {
			continue // made by a later merge, on the heap already
		}
		if q.own == 0 {
			out[i] = src[k]
			continue
		}
		if heap == nil {
			heap = make([]partition, 0, len(out)-i)
		}
		heap = append(heap, *q)
		out[i] = &heap[len(heap)-1]
	}
}

// settled tells whether s is what join would make of it alone: at most
// maxPartitions partitions, in order of their facts' hash, no two with the
// same facts.
func settled(s state) bool {
	if len(s) == 0 || len(s) > maxPartitions {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i-1].fh >= s[i].fh {
			return false
		}
	}
	return true
}

// sameGroup finds the partition of out with p's facts.
func sameGroup(out state, p *partition) *partition {
	for _, g := range out {
		if g.fh == p.fh && sameFacts(g, p) {
			return g
		}
	}
	return nil
}

func sortByFacts(s state) {
	slices.SortFunc(s, func(p, q *partition) int { return cmp.Compare(p.fh, q.fh) })
}

func sameFacts(p, q *partition) bool {
	if p.fh != q.fh || len(p.facts) != len(q.facts) {
		return false
	}
	for _, e := range p.facts {
		if w, ok := q.facts.lookup(e.f); !ok || w != e.v {
			return false
		}
	}
	return true
}

// mergeByLocks merges partitions that agree on every lock, keeping the
// facts they share: that loses no lock precision, only branch facts that
// no longer tell locks apart.
func mergeByLocks(ps state, joinName func(v, x, y string) string) state {
	return mergeBy(ps, joinName, func(p *partition) uint64 { return p.lh })
}

// mergeByFlags merges partitions that agree on every flag the function
// keeps (`locked = 1` ... `if (locked) unlock()`), keeping the facts they
// share: the flag is what tells the lock's paths apart later, so it is
// the last fact to lose.
func mergeByFlags(ps state, joinName func(v, x, y string) string, flags map[string]bool) state {
	return mergeBy(ps, joinName, func(p *partition) uint64 {
		var h uint64
		for _, e := range p.facts {
			if flags[e.f] {
				h ^= factHash(e.f, e.v)
			}
		}
		return h
	})
}

// mergeBy merges the partitions with one signature into one, in the order
// the signatures first appear.
func mergeBy(ps state, joinName func(v, x, y string) string, sig func(*partition) uint64) state {
	groups := map[uint64]*partition{}
	var out state
	for _, p := range ps {
		h := sig(p)
		if g, ok := groups[h]; ok {
			g.mergeShared(p, joinName)
			continue
		}
		g := p.clone()
		groups[h] = g
		out = append(out, g)
	}
	sortByFacts(out)
	return out
}

// mergeShared merges q into p keeping only the facts both have.
func (p *partition) mergeShared(q *partition, joinName func(v, x, y string) string) {
	p.retainFacts(func(f string, v bool) bool {
		qv, ok := q.facts.lookup(f)
		return ok && qv == v
	})
	p.mergeInto(q, joinName)
}

func (s state) equal(t state) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if !s[i].equal(t[i]) {
			return false
		}
	}
	return true
}

// resolve turns an instance expression into an object path: its root
// variable is replaced by the object that variable holds now.
func (p *partition) resolve(expr string) string {
	i := 0
	for i < len(expr) && isIdentByte(expr[i]) {
		i++
	}
	if i == 0 {
		return expr
	}
	root := expr[:i]
	if o, ok := p.vars.get(root); ok {
		return o + expr[i:]
	}
	return expr
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// invalidate forgets facts and pending tries that mention v, after v is
// assigned val; a trylock whose result is this very assignment stays.
func (p *partition) invalidate(v, val string) {
	p.retainFacts(func(f string, _ bool) bool { return !mentions(f, v) })
	// `pages[i]` names another lock once i changes (the next iteration)
	var gone []key
	for k := range p.locks.all() {
		if i := strings.IndexByte(k.inst, '['); i >= 0 && mentions(k.inst[i:], v) {
			gone = append(gone, k)
		}
	}
	for _, k := range gone {
		p.delLock(k)
	}
	for c, ts := range p.tries {
		if c == v && len(ts) > 0 && ts[0].call == val {
			continue
		}
		if mentions(c, v) {
			p.delTry(c)
		}
	}
}

// decideTries applies what a test of c found, want, to the trylocks
// whose result c is: taken, or (where nothing else is known of the
// lock) not held.
func (p *partition) decideTries(c string, want bool) {
	tries, ok := p.tries[c]
	if !ok {
		return
	}
	p.delTry(c)
	for _, t := range tries {
		if t.undo {
			if !want {
				p.setLock(t.k, lockVal{b: bN, site: t.site})
			}
			continue
		}
		if (t.op.kind == opTry) == want {
			p.setLock(t.k, lockVal{b: bH, site: t.site})
		} else if _, known := p.locks.lookup(t.k); !known {
			// failed: not held here, by this function at least
			p.setLock(t.k, lockVal{b: bN, site: t.site})
		}
	}
}

// passHeld marks the locks p holds that match as handed over: from
// here on something else answers for them (a callee given the object,
// a field the caller reads them from, flags the caller drops).
func (p *partition) passHeld(match func(key) bool) {
	for k, v := range p.locks.all() {
		if v.b&bH == 0 || v.passed || !match(k) {
			continue
		}
		v.passed = true
		p.setLock(k, v)
	}
}

// mentions tells whether text contains identifier v as a whole word,
// not as the name of a member (`info->dev` does not mention a local
// `dev`).
func mentions(text, v string) bool {
	if v == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(text[i:], v)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(v)
		member := j >= 1 && text[j-1] == '.' || j >= 2 && text[j-2:j] == "->"
		if (j == 0 || !isIdentByte(text[j-1])) && (end == len(text) || !isIdentByte(text[end])) && !member {
			return true
		}
		i = j + 1
	}
}

// nullObject records that variable v is NULL here: no lock on the object
// it holds, or on one of its fields, is held on this path (a lookup that
// returns its object locked, or NULL, holds nothing when it returns NULL).
func (p *partition) nullObject(v string) {
	obj, ok := p.vars.get(v)
	if !ok {
		return
	}
	var gone []key
	for k, lv := range p.locks.all() {
		if lv.b&bH != 0 && within(k.inst, obj) {
			gone = append(gone, k)
		}
	}
	for _, k := range gone {
		lv, _ := p.locks.lookup(k)
		lv.b = bN
		p.setLock(k, lv)
	}
}

// tests tells whether some path has a trylock whose result is c.
func (s state) tests(c string) bool {
	for _, p := range s {
		if _, ok := p.tries[c]; ok {
			return true
		}
	}
	return false
}

// classOf is the class of the lock this path tracks at inst, or def.
func (p *partition) classOf(inst, def string) string {
	if _, ok := p.locks.lookup(key{class: def, inst: inst}); ok {
		return def
	}
	for k := range p.locks.all() {
		if k.inst == inst {
			return k.class
		}
	}
	return def
}

// unknownOfClass makes the locks held of k's class, other than k, unknown.
func (p *partition) unknownOfClass(k key) {
	var ks []key
	field := k.class[strings.LastIndexByte(k.class, '.')+1:]
	for o, v := range p.locks.all() {
		// the same class, or the same field where a type was guessed
		// (`bdev.lru_lock` in a file without the struct's declaration)
		same := o.class == k.class || strings.HasSuffix(o.class, "."+field) && strings.Contains(k.class, ".")
		if same && o.inst != k.inst && v.b&bH != 0 {
			ks = append(ks, o)
		}
	}
	for _, o := range ks {
		v := p.get(o)
		v.b = bU
		p.setLock(o, v)
	}
}

// within tells whether a lock instance is the object obj or is reached
// through it (`obj->lock`, `obj.a.lock`).
func within(inst, obj string) bool { return inst == obj || fieldOf(inst, obj) }

// fieldOf tells whether a lock instance is reached through obj.
func fieldOf(inst, obj string) bool {
	return strings.HasPrefix(inst, obj+"->") || strings.HasPrefix(inst, obj+".")
}
