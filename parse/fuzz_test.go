//go:build cgo

package parse

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var errAt = regexp.MustCompile(`^fuzz\.c:\d+:\d+: `)

// FuzzParseFile feeds arbitrary bytes to the front end: it must not panic
// or hang, prep must keep every offset, the IR must be well formed, and an
// error must say where.
func FuzzParseFile(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/parse/*.c")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "{", "}", "({", "(({ }))", "#if 0\n{\n#else\n}\n#endif\n",
		"SYSCALL_DEFINE0(", "SYSCALL_DEFINE2(a, int, b, c)", "int f(){ list_for_each(x) }",
		"int f(){ do_each_thread(a,b) { } while_each_thread(a,b); }",
		"int f(){ guard(x)(y); scoped_guard(z) { return; } goto q; q: ; }",
		"int f(){ case 1 ... : }", "a(struct", "int f(){ x = min_t(unsigned, ); }",
		"int f() { typeof(", "int f() { ({ ({ ({ 1; }); }); }); }",
		"STATIC\n", "NOKPROBE_SYMBOL(f)\nint g(int x)\n", "\\\n#define x \\\n",
		"int f(){ \"unterminated\n }", "/* open comment", "int f(){ 'x }",
	} {
		f.Add([]byte(s))
	}
	for _, s := range deepSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		p := prep(src)
		if len(p.src) != len(src) {
			t.Fatalf("prep changed length %d -> %d", len(src), len(p.src))
		}
		for i := range src {
			if (src[i] == '\n') != (p.src[i] == '\n') {
				t.Fatalf("prep moved a line break at %d", i)
			}
		}
		file, err := ParseFile(context.Background(), "fuzz.c", src)
		if err != nil {
			if !errAt.MatchString(err.Error()) {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		lines := len(file.lines)
		inFile := func(p Pos) bool { return p.Line >= 1 && p.Line <= lines && p.Col >= 1 }
		for _, fn := range file.Functions {
			if len(fn.Blocks) == 0 || fn.Exit <= 0 || fn.Exit >= len(fn.Blocks) {
				t.Fatalf("%s: %d blocks, exit %d", fn.Name, len(fn.Blocks), fn.Exit)
			}
			for id, b := range fn.Blocks {
				if b.ID != id {
					t.Fatalf("%s: block %d has ID %d", fn.Name, id, b.ID)
				}
				for _, e := range b.Succs {
					if e.To < 0 || e.To >= len(fn.Blocks) {
						t.Fatalf("%s: edge to b%d of %d", fn.Name, e.To, len(fn.Blocks))
					}
				}
				for _, e := range b.Events {
					if !inFile(e.Pos) {
						t.Fatalf("%s: event %s outside the file", fn.Name, FormatEvent(&e))
					}
				}
			}
			for _, p := range fn.ParseErrors {
				if !inFile(p.Pos) || p.Msg == "" {
					t.Fatalf("%s: parse error %v outside the file or without a message", fn.Name, p)
				}
			}
		}
	})
}

// deepSeeds are bodies at and past the front end's bounds (MaxNesting,
// statement expressions, clipped texts), so the fuzzer starts from inputs
// that reach them.
func deepSeeds() []string {
	rep := strings.Repeat
	d := MaxNesting + 5
	var chain strings.Builder
	chain.WriteString("int f(int x) { if (x == 0) spin_lock(&l);")
	for i := 1; i < 3000; i++ {
		chain.WriteString(" else if (x == 1) g();")
	}
	chain.WriteString(" return 0; }")
	se := "0"
	for k := 0; k <= maxStmtExprDepth+1; k++ {
		se = "({ g(); " + se + "; })"
	}
	return []string{
		"int f(void) { return " + rep("(", 5000) + "1" + rep(")", 5000) + "; }",
		"int f(void) { return " + rep("f(", d) + "x" + rep(")", d) + "; }",
		"int f(void) { " + rep("{", d) + " spin_lock(&l); " + rep("}", d) + " }",
		"int f(void) { " + rep("a = ", d) + "g(); }",
		"int f(void) { return " + rep("x ? g() : ", d) + "0; }",
		"int f(void) { return " + rep("(x ? ", d) + "g()" + rep(" : 0)", d) + "; }",
		"int f(void) { if (" + rep("!", d) + "x && " + rep("(y || ", d) + "g()" + rep(")", d) + ") h(); }",
		"int f(void) { return " + rep("a+", 20000) + "g(); }",
		"int f(void) { int v[] = " + rep("{", 3000) + "1" + rep("}", 3000) + "; }",
		"int f(void) { return " + se + "; }",
		"int f(void) { list_for_each_entry(" + rep("(", 3000) + "p" + rep(")", 3000) + ", h, m) { g(); } }",
		"int f(void) { return g(" + rep("a ", MaxExprText) + "); }",
		chain.String(),
	}
}
