//go:build cgo

package parse

// compact removes the empty pass-through blocks that building leaves
// behind (joins, loop heads without a condition, an else that does
// nothing): every block without events and with one unconditional
// successor is bypassed, and the rest are renumbered in order. Entry and
// exit stay; Blocks[0] is still the entry.
func compact(fn *Function) {
	// keep marks a block of an empty infinite loop (`do ; while (1);`),
	// which has nowhere to forward to
	keep := make([]bool, len(fn.Blocks))
	skippable := func(b *Block) bool {
		return !keep[b.ID] && b.ID != 0 && b.ID != fn.Exit && len(b.Events) == 0 && len(b.Succs) == 1 &&
			b.Succs[0].Cond == "" && b.Succs[0].Case == "" && b.Succs[0].To != b.ID
	}
	// resolve follows a chain of skippable blocks to the block it ends in,
	// and tells whether a back edge was on the way. Each block's answer is
	// kept (memo), so that many edges into one long chain (a switch of
	// many empty cases falling through) cost one walk of it, not one each.
	type res struct {
		to   int
		back bool
		done bool
	}
	memo := make([]res, len(fn.Blocks))
	onPath := make([]bool, len(fn.Blocks))
	var path []int
	resolve := func(id int) (int, bool) {
		path = path[:0]
		end := id
		for !memo[end].done && skippable(fn.Blocks[end]) && !onPath[end] {
			onPath[end] = true
			path = append(path, end)
			end = fn.Blocks[end].Succs[0].To
		}
		for _, p := range path {
			onPath[p] = false
		}
		edgeBack := func(k int) bool { return fn.Blocks[path[k]].Succs[0].Back }
		if len(path) > 0 && !memo[end].done && skippable(fn.Blocks[end]) {
			// the walk came round to a block of its own path: a cycle of
			// empty blocks, an empty infinite loop. One block of it stays,
			// the one a walk of len(Blocks) steps from id stops on (as a
			// plain walk with a step limit would find it), and every block
			// of the path leads to it, with the back edges met on the way.
			j := 0
			for path[j] != end {
				j++
			}
			kidx := j + (len(fn.Blocks)-j)%(len(path)-j)
			keeper := path[kidx]
			keep[keeper] = true
			memo[keeper] = res{to: keeper, done: true}
			acc := false
			for k := kidx - 1; k >= 0; k-- {
				acc = acc || edgeBack(k)
				memo[path[k]] = res{to: keeper, back: acc, done: true}
			}
			// the blocks of the cycle after the keeper go round to it
			acc = false
			if j < kidx {
				acc = memo[path[j]].back
			}
			for k := len(path) - 1; k > kidx; k-- {
				acc = acc || edgeBack(k)
				memo[path[k]] = res{to: keeper, back: acc, done: true}
			}
			return keeper, memo[path[0]].back
		}
		to, back := end, false
		if memo[end].done {
			to, back = memo[end].to, memo[end].back
		}
		for k := len(path) - 1; k >= 0; k-- {
			back = back || edgeBack(k)
			memo[path[k]] = res{to: to, back: back, done: true}
		}
		return to, back
	}
	for _, b := range fn.Blocks {
		for k := range b.Succs {
			to, back := resolve(b.Succs[k].To)
			b.Succs[k].To = to
			b.Succs[k].Back = b.Succs[k].Back || back
		}
	}
	newID := make([]int, len(fn.Blocks))
	kept := fn.Blocks[:0:0]
	for _, b := range fn.Blocks {
		if skippable(b) {
			newID[b.ID] = -1
			continue
		}
		newID[b.ID] = len(kept)
		kept = append(kept, b)
	}
	for _, b := range kept {
		b.ID = newID[b.ID]
		for k := range b.Succs {
			b.Succs[k].To = newID[b.Succs[k].To]
		}
	}
	fn.Exit = newID[fn.Exit]
	fn.Blocks = kept
}
