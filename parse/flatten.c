// Walks a tree-sitter tree in C and writes it out as a flat preorder array,
// so the Go side reads every node without a cgo call per node.
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>
#include "flatten.h"

// The tree-sitter runtime is compiled into github.com/smacker/go-tree-sitter;
// these are its public API entry points, declared here with the layouts of
// that module's api.h (the version pinned in go.mod).
typedef struct { uint32_t context[4]; const void *id; const void *tree; } ll_TSNode;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } ll_TSTreeCursor;

extern ll_TSTreeCursor ts_tree_cursor_new(ll_TSNode);
extern void ts_tree_cursor_delete(ll_TSTreeCursor *);
extern ll_TSNode ts_tree_cursor_current_node(const ll_TSTreeCursor *);
extern uint16_t ts_tree_cursor_current_field_id(const ll_TSTreeCursor *);
extern bool ts_tree_cursor_goto_first_child(ll_TSTreeCursor *);
extern bool ts_tree_cursor_goto_next_sibling(ll_TSTreeCursor *);
extern bool ts_tree_cursor_goto_parent(ll_TSTreeCursor *);
extern uint16_t ts_node_symbol(ll_TSNode);
extern uint32_t ts_node_start_byte(ll_TSNode);
extern uint32_t ts_node_end_byte(ll_TSNode);
extern bool ts_node_is_missing(ll_TSNode);

static int grow(ll_flat *f) {
	uint32_t ncap = f->cap ? f->cap * 2 : 1024;
	ll_node *n = realloc(f->nodes, (size_t)ncap * sizeof(ll_node));
	if (!n)
		return -1;
	f->nodes = n;
	f->cap = ncap;
	return 0;
}

int ll_flatten(const void *root, ll_flat *f) {
	ll_TSNode rn = *(const ll_TSNode *)root;
	ll_TSTreeCursor c = ts_tree_cursor_new(rn);
	// Indices of the open ancestors, to fill in each node's end index. On
	// the heap and grown as needed: the walk itself never recurses, so a
	// tree of any depth (an else-if chain of 100,000 branches) is read
	// whole and the depth limits are the IR builder's, which can say where
	// they were hit.
	uint32_t *stack = NULL;
	uint32_t depth = 0, scap = 0;
	int rc = 0;
	f->len = 0;
	for (;;) {
		if (f->len == f->cap && grow(f) < 0) {
			rc = -1;
			break;
		}
		ll_TSNode n = ts_tree_cursor_current_node(&c);
		uint32_t i = f->len++;
		ll_node *o = &f->nodes[i];
		o->sym = ts_node_symbol(n);
		o->field = ts_tree_cursor_current_field_id(&c);
		o->start = ts_node_start_byte(n);
		o->end = ts_node_end_byte(n);
		// named-ness comes from the symbol table on the Go side
		o->flags = ts_node_is_missing(n) ? LL_MISSING : 0;
		o->next = i + 1;
		if (ts_tree_cursor_goto_first_child(&c)) {
			if (depth == scap) {
				uint32_t ncap = scap ? scap * 2 : 256;
				uint32_t *ns = realloc(stack, (size_t)ncap * sizeof(*stack));
				if (!ns) {
					rc = -1;
					break;
				}
				stack = ns;
				scap = ncap;
			}
			stack[depth++] = i;
			continue;
		}
		// a leaf: move to the next sibling, closing ancestors on the way up
		for (;;) {
			if (ts_tree_cursor_goto_next_sibling(&c))
				break;
			if (depth == 0 || !ts_tree_cursor_goto_parent(&c))
				goto done;
			depth--;
			f->nodes[stack[depth]].next = f->len;
		}
	}
done:
	while (depth > 0) {
		depth--;
		f->nodes[stack[depth]].next = f->len;
	}
	free(stack);
	ts_tree_cursor_delete(&c);
	return rc;
}

void ll_flat_free(ll_flat *f) {
	free(f->nodes);
	f->nodes = NULL;
	f->len = f->cap = 0;
}
