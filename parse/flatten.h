#include <stdint.h>

enum { LL_NAMED = 1, LL_MISSING = 2 };

typedef struct {
	uint32_t start, end; // byte range
	uint32_t next;       // index of the first node after this subtree
	uint16_t sym, field;
	uint8_t flags;
} ll_node;

typedef struct {
	ll_node *nodes;
	uint32_t len, cap;
} ll_flat;

int ll_flatten(const void *root, ll_flat *f);
void ll_flat_free(ll_flat *f);
