//go:build cgo

package parse

/*
#include "flatten.h"
*/
import "C"

import (
	"context"
	"fmt"
	"sync"
	"unsafe"

	sitter "github.com/smacker/go-tree-sitter"
	tsc "github.com/smacker/go-tree-sitter/c"
)

// node is one syntax-tree node in the flat preorder array that flatten.c
// produces: children of nodes[i] are i+1 .. nodes[i].next-1, each child
// followed by its own subtree.
type node struct {
	start, end uint32
	next       uint32
	sym, field uint16
	flags      uint8
}

const (
	flagNamed   = C.LL_NAMED
	flagMissing = C.LL_MISSING
)

// tsNodeSize is sizeof(TSNode): uint32_t context[4] and two pointers.
const tsNodeSize = 16 + 2*unsafe.Sizeof(uintptr(0))

// The Go and C node layouts must agree for the copy out of flatten.c.
var _ = [1]struct{}{}[unsafe.Sizeof(node{})-C.sizeof_ll_node]

// tree is a parsed file: the flat nodes and the source they index.
type tree struct {
	nodes []node
	src   []byte
	// events caches hasEvents for every node, built on first use
	events []bool
}

var (
	langOnce sync.Once
	lang     *sitter.Language
)

func language() *sitter.Language {
	langOnce.Do(func() {
		lang = tsc.GetLanguage()
		initSymbols(lang)
	})
	return lang
}

var parserPool = sync.Pool{New: func() any {
	p := sitter.NewParser()
	p.SetLanguage(language())
	return p
}}

// parseTree runs tree-sitter over src and flattens the result. The C tree
// is freed before returning, so memory held per file is the flat array.
//
// With ranges, only those byte ranges of src are parsed (tree-sitter's
// included ranges): positions stay those of the whole file.
func parseTree(ctx context.Context, src []byte, ranges ...sitter.Range) (*tree, error) {
	language()
	var p *sitter.Parser
	if len(ranges) > 0 {
		// a parser of its own, so pooled parsers keep parsing whole files
		p = sitter.NewParser()
		defer p.Close()
		p.SetLanguage(language())
		p.SetIncludedRanges(ranges)
	} else {
		p = parserPool.Get().(*sitter.Parser)
		defer parserPool.Put(p)
	}
	st, err := p.ParseCtx(ctx, nil, src)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	root := st.RootNode()
	// sitter.Node starts with the C TSNode by value (32 bytes on 64-bit
	// machines); copy those bytes out for flatten.c. TestFlattenMatchesCursor
	// guards the layout.
	var raw [tsNodeSize]byte
	copy(raw[:], unsafe.Slice((*byte)(unsafe.Pointer(root)), tsNodeSize))
	var flat C.ll_flat
	if C.ll_flatten(unsafe.Pointer(&raw[0]), &flat) != 0 {
		C.ll_flat_free(&flat)
		return nil, fmt.Errorf("out of memory flattening syntax tree")
	}
	n := int(flat.len)
	nodes := make([]node, n)
	if n > 0 {
		copy(nodes, unsafe.Slice((*node)(unsafe.Pointer(flat.nodes)), n))
	}
	for i := range nodes {
		if symNamed[nodes[i].sym] {
			nodes[i].flags |= flagNamed
		}
	}
	C.ll_flat_free(&flat)
	return &tree{nodes: nodes, src: src}, nil
}

// text returns the source text of node i.
//
// The string shares memory with t.src, which ParseFile owns (it parses a
// private copy of its input), so no text is copied per node.
func (t *tree) text(i int) string {
	n := &t.nodes[i]
	if n.end <= n.start {
		return ""
	}
	return unsafe.String(&t.src[n.start], int(n.end-n.start))
}

// kind is the grammar symbol of node i, mapped onto the kinds we use.
func (t *tree) kind(i int) kind { return symKind[t.nodes[i].sym] }

// children calls f for each direct child of node i.
func (t *tree) firstChild(i int) int {
	if i+1 < int(t.nodes[i].next) {
		return i + 1
	}
	return -1
}

func (t *tree) nextSibling(parent, i int) int {
	j := int(t.nodes[i].next)
	if j < int(t.nodes[parent].next) {
		return j
	}
	return -1
}
