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
	// and tells whether a back edge was on the way.
	resolve := func(id int) (int, bool) {
		back := false
		for steps := 0; steps < len(fn.Blocks); steps++ {
			b := fn.Blocks[id]
			if !skippable(b) {
				return id, back
			}
			back = back || b.Succs[0].Back
			id = b.Succs[0].To
		}
		keep[id] = true // a cycle of empty blocks: an empty infinite loop
		return id, back
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
