//go:build cgo

package parse

import (
	"bytes"
	"strings"
	"unsafe"
)

// Kernel tolerance. tree-sitter's C grammar knows standard C and a few GNU
// extensions; kernel code adds attributes that are macros, iterator macros
// used like loop keywords, and SYSCALL_DEFINEn definitions. prep rewrites a
// copy of the source so that tree-sitter parses it, always keeping every
// byte offset and line number of the original: attributes are blanked with
// spaces, iterator macro names become `while` padded with spaces, and so on.
// What was rewritten is recorded so the IR builder can put it back.

// annotation is a sparse lock annotation found on a declaration.
type annotation struct {
	kind  string // "acquires", "releases", "must_hold"
	arg   string
	start uint32
}

// macroLoop is a statement macro rewritten into a `while`.
type macroLoop struct {
	name string // iterator or scoped_guard name as written
	args string // the text between the parentheses
}

// stmtExpr is a GNU statement expression `({ ... })`, replaced by a
// parenthesised blank in the main parse and parsed on its own.
type stmtExpr struct {
	start, end uint32 // the `(` and one past the `)`
}

type prepared struct {
	src       []byte
	annots    []annotation
	loops     map[uint32]macroLoop  // keyed by the byte offset of the macro name
	entries   map[uint32]entryMacro // offset of the rewritten name
	stmtExprs []stmtExpr
}

// plainAttrs are blanked wherever they appear as a whole word.
var plainAttrs = toSet(`
__init __exit __initdata __exitdata __initconst __exitconst __meminit
__meminitdata __meminitconst __memexit __devinit __devexit __devinitdata
__cpuinit __cpuexit __cpuinitdata __ref __refdata __refconst __init_or_module
__user __kernel __iomem __percpu __rcu __force __bitwise __bitwise__
__safe __private __nocast __must_check __always_inline __inline_maybe_unused
noinline __noinline __noinline_for_stack noinline_for_stack __attribute_const__
__pure __cold __hot __weak __used __maybe_unused __always_unused __unused
__read_mostly __ro_after_init __visible __noreturn __noclone __flatten
asmlinkage notrace __sched __latent_entropy __kprobes nokprobe_inline
__irq_entry __softirq_entry __exception_irq_entry __lockfunc __nocfi
__noinstr noinstr __cacheline_aligned __cacheline_aligned_in_smp
____cacheline_aligned ____cacheline_aligned_in_smp ____cacheline_internodealigned_in_smp
__page_aligned_data __page_aligned_bss __randomize_layout __no_randomize_layout
__designated_init __packed __deprecated __must_be_array __no_sanitize_address
__no_kcsan __no_kasan_or_inline __init_memblock __initdata_memblock
__meminit_or_module __net_init __net_exit __net_initdata __exit_refok
__init_refok __cpuinitdata __devexit_p __lsm_ro_after_init __initdata_or_module
__bpf_kfunc __naked __noendbr __always_inline_or_gcov __nosavedata
__tracepoint_string __initconst_or_module __cpuidle __init_or_acpilib
__no_kmsan_checks __no_sanitize_memory __no_profile __no_stack_protector
forceinline __always_inline_maybe_unused
fastcall
`)

// argAttrs are blanked together with their parenthesised argument list.
var argAttrs = toSet(`
__attribute__ __attribute __aligned __section __printf __scanf __alloc_size
__malloc __cond_acquires __cond_releases __assume_aligned __counted_by
__diagnose_as __nonstring __native_word __must_hold __acquires __releases
__guarded_by __pt_guarded_by __no_sanitize __alias __copy __cleanup __free
__deprecated_msg
`)

var lockAnnots = map[string]string{
	"__acquires":      "acquires",
	"__releases":      "releases",
	"__must_hold":     "must_hold",
	"__cond_acquires": "acquires_cond",
}

// keywords never treated as macro names.
var keywords = toSet(`
if else while for do switch case default return goto break continue sizeof
typeof __typeof__ __typeof _Alignof alignof __alignof__ __builtin_offsetof
offsetof asm __asm__ __asm volatile __volatile__ struct union enum typedef
static extern inline __inline __inline__ const register auto unsigned signed
int char long short void float double _Bool bool __extension__ _Static_assert
static_assert __builtin_types_compatible_p __builtin_choose_expr
`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// prep rewrites src (it is not modified) into a parseable copy.
func prep(src []byte) *prepared {
	return prepInto(src, bytes.Clone(src), 0, len(src), 0)
}

// prepRegion rewrites src[start:end], a block inside a function, into out.
func prepRegion(src, out []byte, start, end int) *prepared {
	return prepInto(src, out, start, end, 1)
}

func prepInto(src, out []byte, start, end, depth int) *prepared {
	p := &prepared{src: out, entries: map[uint32]entryMacro{}, loops: map[uint32]macroLoop{}}
	s := &scanner{b: src[:end], pos: start}
	// prev is the last significant token, to tell statement position:
	// punctuation as itself, 'x' an identifier, 'k' a keyword, 'e' else/do.
	var prev byte = ';'
	// calls tells, for each open parenthesis, whether it opened an
	// argument list.
	var calls []bool
	inCase := false
	afterTag := false // the last identifier was struct, union or enum
	for {
		tok, start, end := s.next()
		if tok == tEOF {
			break
		}
		switch tok {
		case tPunct:
			c := src[start]
			switch c {
			case '{':
				depth++
			case '}':
				if depth > 0 {
					depth--
				}
			case ')':
				if len(calls) > 0 {
					calls = calls[:len(calls)-1]
				}
			case ':':
				inCase = false
			case '.':
				// GNU case range `case 'a' ... 'z':` reads as `'a' + 'z'`
				if inCase && end+1 < len(src) && src[end] == '.' && src[end+1] == '.' {
					copy(p.src[start:], " + ")
					s.pos = end + 2
				}
			case ',':
				if depth > 0 && len(calls) > 0 && calls[len(calls)-1] {
					p.typeArg(s)
				}
			case '(':
				calls = append(calls, prev == 'x')
				if depth > 0 && prev == 'x' {
					p.typeArg(s)
				}
				if depth > 0 && s.peekByte() == '{' {
					if e, ok := s.matchStmtExpr(start); ok {
						p.stmtExprs = append(p.stmtExprs, stmtExpr{uint32(start), uint32(e)})
						blank(p.src, start+1, e-1)
						p.src[start+1] = '0'
						s.pos = e
						calls = calls[:len(calls)-1]
						prev = ')'
						continue
					}
				}
			}
			prev = c
			continue
		case tIdent:
		default:
			prev = 'x'
			continue
		}
		// a view, not a copy: w is looked up, and cloned where it is kept
		w := unsafe.String(&src[start], end-start)
		switch {
		case plainAttrs[w]:
			blank(p.src, start, end)
			continue
		case argAttrs[w]:
			if open, close, ok := s.parenGroup(); ok {
				if k, ok := lockAnnots[w]; ok {
					p.annots = append(p.annots, annotation{kind: k, arg: strings.TrimSpace(string(src[open+1 : close-1])), start: uint32(start)})
				}
				blank(p.src, start, close)
				s.pos = close
				continue
			}
			blank(p.src, start, end)
			continue
		case depth > 0 && w == "static" && p.staticMacro(s):
			blank(p.src, start, end)
			continue
		case w == "typeof" || w == "__typeof__" || w == "__typeof" || w == "offsetof" ||
			w == "typeof_member" || w == "__builtin_offsetof" || w == "__alignof__" || w == "_Alignof":
			if _, close, ok := s.parenGroup(); ok && !bytes.ContainsAny(src[start:close], "\n") {
				// a type (or a constant) as an identifier: `typeof(x->y) v;`
				// declares v
				for k := start; k < close; k++ {
					p.src[k] = '_'
				}
				s.pos = close
				prev = 'x'
				continue
			}
		case w == "case":
			inCase = true
		case depth == 0 && isDefinitionMacro(w):
			if p.rewriteSyscall(s, w, start, end) {
				prev = ')'
				continue
			}
		case depth > 0 && isStmtStart(prev) && (strings.HasPrefix(w, "do_each") || strings.HasPrefix(w, "while_each")):
			if p.rewriteDoWhileMacro(s, w, start, end) || p.rewriteLoopMacro(s, w, start, end) {
				prev = ')'
				continue
			}
		case depth == 0 && len(calls) == 0 && (prev == ';' || prev == '}') && isUpperIdent(w) && p.standaloneMacro(s, start):
			// `NOKPROBE_SYMBOL(f)` with no `;`: it would swallow the
			// definition after it
			continue
		case depth == 0 && len(calls) == 0 && (prev == ';' || prev == '}' || prev == 'k' && !afterTag) && !keywords[w] && p.declMacro(s, w):
			// `STATIC int foo(...)`: a macro standing for a specifier
			blank(p.src, start, end)
			continue
		case depth > 0 && !keywords[w] && isStmtStart(prev):
			if p.rewriteLoopMacro(s, w, start, end) {
				prev = ')'
				continue
			}
		}
		afterTag = w == "struct" || w == "union" || w == "enum"
		switch {
		case w == "else" || w == "do":
			prev = 'e'
		case keywords[w]:
			prev = 'k'
		default:
			prev = 'x'
		}
	}
	blankDirectiveComments(p.src, s.comments)
	return p
}

func isStmtStart(prev byte) bool {
	switch prev {
	case ';', '{', '}', ')', ':', 'e': // 'e' marks `else`/`do`
		return true
	}
	return false
}

// entryMacro is a definition macro such as SYSCALL_DEFINE3(name, ...):
// the function it defines is an entry point with no visible caller.
type entryMacro struct {
	macro, name, ret string
}

// definitionMacro recognizes SYSCALL_DEFINEn, COMPAT_SYSCALL_DEFINEn and
// BPF_CALL_n, returning the prefix of the defined name and its return type.
func definitionMacro(w string) (prefix, ret string, ok bool) {
	n := len(w)
	if n == 0 || w[n-1] < '0' || w[n-1] > '6' {
		return "", "", false
	}
	switch w[:n-1] {
	case "SYSCALL_DEFINE":
		return "sys_", "long", true
	case "COMPAT_SYSCALL_DEFINE":
		return "compat_sys_", "long", true
	case "BPF_CALL_", "NOTRACE_BPF_CALL_":
		return "", "u64", true
	}
	return "", "", false
}

func isDefinitionMacro(w string) bool {
	_, _, ok := definitionMacro(w)
	return ok
}

// rewriteSyscall turns `SYSCALL_DEFINE2(name, type, a, type, b)` into
// `long            name(type  a, type  b)` in place.
func (p *prepared) rewriteSyscall(s *scanner, w string, start, end int) bool {
	open, close, ok := s.parenGroup()
	if !ok {
		return false
	}
	args := splitTopLevel(s.b, open+1, close-1)
	if len(args) == 0 {
		return false
	}
	nameStart, nameEnd := trimSpan(s.b, args[0][0], args[0][1])
	if nameStart >= nameEnd {
		return false
	}
	name := string(s.b[nameStart:nameEnd])
	if !IsIdentifier(name) {
		return false // (not a name: `SYSCALL_DEFINE0(0\n0)`, whose line break would move)
	}
	prefix, ret, _ := definitionMacro(w)
	if nameStart-start < len(ret)+2 {
		return false
	}
	entry := entryMacro{macro: strings.Clone(w), name: prefix + name, ret: ret}
	out := p.src
	blank(out, start, nameStart)
	copy(out[start:], ret)
	if len(args) == 1 {
		// SYSCALL_DEFINE0(name): `long   name()`; the name moves one byte left
		// to make room for the `(`.
		if nameStart-start < 6 || s.b[nameStart-1] == '\n' {
			// no room, or the byte the name moves onto is a line break
			// that must stay where it is
			return false
		}
		copy(out[nameStart-1:], name)
		out[nameEnd-1] = '('
		blank(out, nameEnd, close-1)
		out[close-1] = ')'
		p.entries[uint32(nameStart-1)] = entry
		s.pos = close
		return true
	} else {
		// the comma after the name opens the parameter list, every comma
		// between a type and its name becomes a space
		out[args[0][1]] = '('
		for i := 1; i+1 < len(args); i += 2 {
			out[args[i][1]] = ' '
		}
		p.entries[uint32(nameStart)] = entry
	}
	// go on scanning inside, so that `__user` and friends get blanked
	s.pos = args[0][1] + 1
	return true
}

// parenGroup finds the parenthesised group that follows the token just
// read: its `(` and one past its `)`.
func (s *scanner) parenGroup() (open, close int, ok bool) {
	if open, ok = s.peekOpenParen(); !ok {
		return
	}
	close, ok = s.matchParen(open)
	return open, close, ok
}

// macroArgs is parenGroup plus the next token after the group.
func (s *scanner) macroArgs() (open, close, after int, ok bool) {
	if open, close, ok = s.parenGroup(); !ok {
		return
	}
	after = s.skipSpace(close)
	return open, close, after, after < len(s.b)
}

// rewriteLoopMacro turns a statement macro that takes a body, such as
// `list_for_each_entry(pos, head, member) {` or `scoped_guard(spinlock, &l) {`,
// into `while              (pos, head, member) {`.
func (p *prepared) rewriteLoopMacro(s *scanner, w string, start, end int) bool {
	if len(w) < len("while") {
		return false
	}
	open, close, after, ok := s.macroArgs()
	if !ok {
		return false
	}
	c := s.b[after]
	// an iterator, or a scoped guard (`scoped_guard(mutex, &m) stmt;`)
	iter := strings.Contains(w, "for_each") || strings.Contains(w, "foreach") || strings.Contains(w, "FOR_EACH") ||
		strings.HasPrefix(w, "scoped_guard") || strings.HasPrefix(w, "scoped_cond_guard")
	switch {
	case c == '{':
	case iter && (isIdentStart(c) || c == '*' || c == '(' || c == '+' || c == '-'):
		// an iterator followed by a single statement
	default:
		return false
	}
	p.loops[uint32(start)] = macroLoop{name: strings.Clone(w), args: string(s.b[open+1 : close-1])}
	blank(p.src, start, end)
	copy(p.src[start:], "while")
	s.pos = close
	return true
}

// rewriteDoWhileMacro handles the pair `do_each_thread(g, t) { ... }
// while_each_thread(g, t);`: the first becomes `do` (its arguments
// blanked), the second `while (g, t)`.
func (p *prepared) rewriteDoWhileMacro(s *scanner, w string, start, end int) bool {
	open, close, after, ok := s.macroArgs()
	if !ok {
		return false
	}
	switch {
	case strings.HasPrefix(w, "do_each") && s.b[after] == '{':
		p.loops[uint32(start)] = macroLoop{name: strings.Clone(w), args: string(s.b[open+1 : close-1])}
		blank(p.src, start, close)
		copy(p.src[start:], "do")
	case strings.HasPrefix(w, "while_each") && s.b[after] == ';':
		p.loops[uint32(start)] = macroLoop{name: strings.Clone(w), args: string(s.b[open+1 : close-1])}
		if len(bytes.TrimSpace(s.b[open+1:close-1])) == 0 {
			// `while_each_subsys_mask();` has no arguments to keep
			blank(p.src, start, close)
			copy(p.src[start:], "while(1)")
		} else {
			blank(p.src, start, end)
			copy(p.src[start:], "while")
		}
	default:
		return false
	}
	s.pos = close
	return true
}

func blank(b []byte, start, end int) {
	for i := start; i < end; i++ {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
}

func trimSpan(b []byte, s, e int) (int, int) {
	for s < e && isSpace(b[s]) {
		s++
	}
	for e > s && isSpace(b[e-1]) {
		e--
	}
	return s, e
}

// splitTopLevel splits b[s:e] at commas outside nested brackets; each span
// is [start, commaIndex) (the last ends at e).
func splitTopLevel(b []byte, s, e int) [][2]int {
	var out [][2]int
	d := 0
	from := s
	for i := s; i < e; i++ {
		switch b[i] {
		case '(', '[', '{':
			d++
		case ')', ']', '}':
			d--
		case ',':
			if d == 0 {
				out = append(out, [2]int{from, i})
				from = i + 1
			}
		}
	}
	if from < e || len(out) > 0 {
		out = append(out, [2]int{from, e})
	}
	return out
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdent(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

var typeWords = toSet(`unsigned signed int long short char void bool _Bool float double const volatile`)

// typeArg rewrites a type written as a macro argument, as in
// `container_of(p, struct page, lru)` or `min_t(unsigned long, a, b)`, into
// an identifier of the same length (`       page`, `_nsigned_long`), which
// tree-sitter accepts as an expression. s.pos is just after the `(` or `,`.
func (p *prepared) typeArg(s *scanner) {
	b := s.b
	i := s.skipSpace(s.pos)
	var quals, words [][2]int
	tagged, typedef := false, false
	for i < len(b) && isIdentStart(b[i]) {
		j := i
		for j < len(b) && isIdent(b[j]) {
			j++
		}
		w := string(b[i:j])
		switch {
		case w == "const" || w == "volatile":
			quals = append(quals, [2]int{i, j})
			i = s.skipSpace(j)
			continue
		case len(words) == 0 && (w == "struct" || w == "union" || w == "enum"):
			tagged = true
		case tagged && len(words) == 1:
			// the tag name
		case !tagged && !typedef && typeWords[w]:
		case len(words) == 0 && len(quals) > 0:
			// `const size_t`: a typedef name after a qualifier
			typedef = true
		default:
			return
		}
		words = append(words, [2]int{i, j})
		i = s.skipSpace(j)
	}
	if len(words) == 0 || tagged && len(words) != 2 || typedef && len(words) != 1 {
		return
	}
	stars := i
	for i < len(b) && (b[i] == '*' || isSpace(b[i])) {
		i++
	}
	if i >= len(b) || (b[i] != ',' && b[i] != ')') {
		return
	}
	out := p.src
	for _, q := range quals {
		blank(out, q[0], q[1])
	}
	switch {
	case tagged:
		blank(out, words[0][0], words[0][1])
	case !typedef:
		// join the words into one identifier-shaped token
		out[words[0][0]] = '_'
		for k := 1; k < len(words); k++ {
			for j := words[k-1][1]; j < words[k][0]; j++ {
				if out[j] != '\n' {
					out[j] = '_'
				}
			}
		}
	}
	blank(out, stars, i)
}

// staticMacro tells whether a `static` just read is followed by a
// definition macro such as `DEFINE_RATELIMIT_STATE(rs, ...)`, which reads
// as a call once `static` is blanked.
func (p *prepared) staticMacro(s *scanner) bool {
	i := s.skipSpace(s.pos)
	j := i
	for j < len(s.b) && isIdent(s.b[j]) {
		j++
	}
	w := string(s.b[i:j])
	if !strings.HasPrefix(w, "DEFINE_") && !strings.HasPrefix(w, "DECLARE_") {
		return false
	}
	k := s.skipSpace(j)
	return k < len(s.b) && s.b[k] == '('
}

var specWords = toSet(`int void char short long unsigned signed struct union enum
static inline __inline __inline__ const extern bool _Bool float double volatile`)

// declMacro tells whether the identifier just read, at the start of a
// file-level declaration, is a macro standing for a storage class or an
// attribute: it is followed by a type keyword (`STATIC int foo(...)`), or
// by two more identifiers and a `(` (`STATIC xfs_agnumber_t foo(...)`).
func (p *prepared) declMacro(s *scanner, w string) bool {
	i := s.skipSpace(s.pos)
	// next reads an identifier, stepping over attributes
	next := func(i int) (string, int) {
		for {
			j := i
			for j < len(s.b) && isIdent(s.b[j]) {
				j++
			}
			w := string(s.b[i:j])
			j = s.skipSpace(j)
			switch {
			case plainAttrs[w]:
				i = j
			case argAttrs[w] && j < len(s.b) && s.b[j] == '(':
				end, ok := s.matchParen(j)
				if !ok {
					return w, j
				}
				i = s.skipSpace(end)
			default:
				return w, j
			}
		}
	}
	w1, i := next(i)
	if w1 == "" {
		return false
	}
	if specWords[w1] {
		return isUpperIdent(w)
	}
	if keywords[w1] {
		return false
	}
	for i < len(s.b) && s.b[i] == '*' {
		i = s.skipSpace(i + 1)
	}
	w2, i := next(i)
	if w2 == "" || keywords[w2] {
		return false
	}
	return i < len(s.b) && s.b[i] == '('
}

// blankDirectiveComments blanks the block comments inside directives:
// tree-sitter's C grammar ends a #define's body at a comment followed by
// a line continuation (`pf(A)  /* a */ \`), and reads the lines after
// it as code. A line break inside such a comment keeps the directive
// going with a backslash put before it, so that no line moves.
func blankDirectiveComments(b []byte, comments [][2]int) {
	for _, c := range comments {
		if c[1] > len(b) {
			continue
		}
		j := c[1]
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if (j >= len(b) || b[j] != '\\') && !bytes.ContainsRune(b[c[0]:c[1]], '\n') {
			// one that ends its line is read well (and `#endif` with
			// trailing blanks is not)
			continue
		}
		for i := c[0]; i < c[1]; i++ {
			switch {
			case b[i] == '\n':
				// (an empty line in the comment has no place for the
				// backslash: the directive ends there, and the rest of
				// the comment is blanks)
				if i > c[0] && b[i-1] != '\n' {
					b[i-1] = '\\'
				}
			case b[i] != '\r':
				b[i] = ' '
			}
		}
	}
}

func isUpperIdent(w string) bool {
	letter := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'A' && c <= 'Z':
			letter = true
		case c == '_' || c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return letter
}

// standaloneMacro tells whether the upper-case macro call starting at
// start stands alone at file level without a `;`, followed by a function
// declaration (a `(` comes before the next `;` or `{`), and if so blanks
// it. K&R parameter declarations after a definition's name hold no `(`.
func (p *prepared) standaloneMacro(s *scanner, start int) bool {
	_, close, ok := s.parenGroup()
	if !ok {
		return false
	}
	i := s.skipSpace(close)
	if i >= len(s.b) || !isIdentStart(s.b[i]) {
		return false
	}
	for j := i; j < len(s.b); j++ {
		switch s.b[j] {
		case ';', '{', '=':
			return false
		case '(':
			blank(p.src, start, close)
			s.pos = close
			return true
		}
	}
	return false
}
