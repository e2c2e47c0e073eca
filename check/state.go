package check

import (
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
}

// site is where something happened, for traces.
type site struct {
	pos  parse.Pos
	text string // the call as written
}

// partition is the state along a set of paths that agree on the branch
// conditions they took (facts). Keeping paths with different facts apart
// is what lets `if (m) lock(m); ... if (m) unlock(m);` balance.
type partition struct {
	facts map[string]bool
	vars  map[string]string // variable -> object path
	locks map[key]lockVal
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
}

func newPartition() *partition {
	return &partition{
		facts: map[string]bool{}, vars: map[string]string{}, locks: map[key]lockVal{},
		published: map[string]bool{}, seen: map[string]bits{}, tries: map[string][]tryOp{},
	}
}

func (p *partition) clone() *partition {
	q := &partition{
		facts: make(map[string]bool, len(p.facts)), vars: make(map[string]string, len(p.vars)),
		locks: make(map[key]lockVal, len(p.locks)), published: make(map[string]bool, len(p.published)),
		seen: make(map[string]bits, len(p.seen)), tries: make(map[string][]tryOp, len(p.tries)),
	}
	for k, v := range p.facts {
		q.facts[k] = v
	}
	for k, v := range p.vars {
		q.vars[k] = v
	}
	for k, v := range p.locks {
		q.locks[k] = v
	}
	for k, v := range p.published {
		q.published[k] = v
	}
	for k, v := range p.seen {
		q.seen[k] = v
	}
	for k, v := range p.tries {
		q.tries[k] = v
	}
	return q
}

// get is a lock's bits; an untouched lock is unknown, unless its object
// was just allocated in this function, where no one can hold it.
func (p *partition) get(k key) lockVal {
	if v, ok := p.locks[k]; ok {
		return v
	}
	if strings.HasPrefix(k.inst, "@!") {
		return lockVal{b: bN}
	}
	return lockVal{b: bU}
}

// forget drops what is known about an object's locks: the call site that
// names it made a new object (the next loop iteration's page is not the
// one unlocked in the last).
func (p *partition) forget(obj string) {
	for k := range p.locks {
		if k.inst == obj || strings.HasPrefix(k.inst, obj+"->") || strings.HasPrefix(k.inst, obj+".") {
			delete(p.locks, k)
		}
	}
}

// factsKey is a canonical form of the facts, to group partitions.
func (p *partition) factsKey() string {
	if len(p.facts) == 0 {
		return ""
	}
	ks := make([]string, 0, len(p.facts))
	for k, v := range p.facts {
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
	for k, qv := range q.locks {
		pv := p.get(k)
		pv.b |= qv.b
		pv.passed = pv.passed || qv.passed
		if pv.site.text == "" {
			pv.site = qv.site
		}
		p.locks[k] = pv
	}
	for k, pv := range p.locks {
		if _, ok := q.locks[k]; !ok {
			pv.b |= q.get(k).b
			p.locks[k] = pv
		}
	}
	for v, po := range p.vars {
		if qo, ok := q.vars[v]; !ok {
			p.vars[v] = joinName(v, po, v)
		} else if qo != po {
			p.vars[v] = joinName(v, po, qo)
		}
	}
	for v, qo := range q.vars {
		if _, ok := p.vars[v]; !ok {
			p.vars[v] = joinName(v, v, qo)
		}
	}
	for o := range p.published {
		if !q.published[o] {
			delete(p.published, o)
		}
	}
	for r, pb := range p.seen {
		p.seen[r] = pb | q.seenBits(r)
	}
	for r, qb := range q.seen {
		if _, ok := p.seen[r]; !ok {
			p.seen[r] = qb | bN
		}
	}
	for c := range p.tries {
		if _, ok := q.tries[c]; !ok {
			delete(p.tries, c)
		}
	}
}

func (p *partition) seenBits(rule string) bits {
	if b, ok := p.seen[rule]; ok {
		return b
	}
	return bN
}

// equal reports whether two partitions hold the same information.
func (p *partition) equal(q *partition) bool {
	if len(p.locks) != len(q.locks) || len(p.vars) != len(q.vars) || len(p.published) != len(q.published) ||
		len(p.seen) != len(q.seen) || len(p.tries) != len(q.tries) || p.factsKey() != q.factsKey() {
		return false
	}
	for k, v := range p.locks {
		if w, ok := q.locks[k]; !ok || w.b != v.b {
			return false
		}
	}
	for k, v := range p.vars {
		if q.vars[k] != v {
			return false
		}
	}
	for k := range p.published {
		if !q.published[k] {
			return false
		}
	}
	for k, v := range p.seen {
		if q.seen[k] != v {
			return false
		}
	}
	for k := range p.tries {
		if _, ok := q.tries[k]; !ok {
			return false
		}
	}
	return true
}

// state is the set of partitions at a point; nil means unreachable.
type state []*partition

// maxPartitions bounds path sensitivity; past it, partitions merge and
// lose their facts.
const maxPartitions = 8

// join merges states that meet at a block.
func join(ins []state, joinName func(v, x, y string) string) state {
	groups := map[string]*partition{}
	var order []string
	for _, s := range ins {
		for _, p := range s {
			fk := p.factsKey()
			if g, ok := groups[fk]; ok {
				g.mergeInto(p, joinName)
				continue
			}
			groups[fk] = p.clone()
			order = append(order, fk)
		}
	}
	if len(order) == 0 {
		return nil
	}
	sort.Strings(order)
	out := make(state, 0, len(order))
	for _, fk := range order {
		out = append(out, groups[fk])
	}
	if len(out) > maxPartitions {
		out = mergeByLocks(out, joinName)
	}
	if len(out) > maxPartitions {
		all := out[0]
		for _, p := range out[1:] {
			for f, v := range all.facts {
				if pv, ok := p.facts[f]; !ok || pv != v {
					delete(all.facts, f)
				}
			}
			p.facts = all.facts
			all.mergeInto(p, joinName)
		}
		out = state{all}
	}
	return out
}

// mergeByLocks merges partitions that agree on every lock, keeping the
// facts they share: that loses no lock precision, only branch facts that
// no longer tell locks apart.
func mergeByLocks(ps state, joinName func(v, x, y string) string) state {
	groups := map[string]*partition{}
	var order []string
	for _, p := range ps {
		sig := p.lockSignature()
		if g, ok := groups[sig]; ok {
			for f, v := range g.facts {
				if pv, ok := p.facts[f]; !ok || pv != v {
					delete(g.facts, f)
				}
			}
			q := p.clone()
			q.facts = g.facts
			g.mergeInto(q, joinName)
			continue
		}
		groups[sig] = p.clone()
		order = append(order, sig)
	}
	out := make(state, 0, len(order))
	for _, sig := range order {
		out = append(out, groups[sig])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].factsKey() < out[j].factsKey() })
	return out
}

func (p *partition) lockSignature() string {
	ks := make([]string, 0, len(p.locks))
	for k, v := range p.locks {
		ks = append(ks, k.class+"\x00"+k.inst+"\x00"+string(rune('0'+v.b)))
	}
	sort.Strings(ks)
	return strings.Join(ks, "\x01")
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
	if o, ok := p.vars[root]; ok {
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
	for f := range p.facts {
		if mentions(f, v) {
			delete(p.facts, f)
		}
	}
	for c, ts := range p.tries {
		if c == v && len(ts) > 0 && ts[0].call == val {
			continue
		}
		if mentions(c, v) {
			delete(p.tries, c)
		}
	}
}

// mentions tells whether text contains identifier v as a whole word.
func mentions(text, v string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], v)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(v)
		if (j == 0 || !isIdentByte(text[j-1])) && (end == len(text) || !isIdentByte(text[end])) {
			return true
		}
		i = j + 1
	}
}
