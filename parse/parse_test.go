//go:build cgo

package parse

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	sitter "github.com/smacker/go-tree-sitter"
)

func parseTestFile(t *testing.T, name string) *File {
	t.Helper()
	src, err := os.ReadFile("../testdata/parse/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(context.Background(), name, src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func function(t *testing.T, f *File, name string) *Function {
	t.Helper()
	for _, fn := range f.Functions {
		if fn.Name == name {
			return fn
		}
	}
	var names []string
	for _, fn := range f.Functions {
		names = append(names, fn.Name)
	}
	t.Fatalf("no function %s in %s (have %v)", name, f.Name, names)
	return nil
}

// events lists a function's events in block order as FormatEvent lines.
func events(fn *Function, kinds ...EventKind) []string {
	var out []string
	for _, b := range fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			for _, k := range kinds {
				if e.Kind == k {
					out = append(out, FormatEvent(e))
				}
			}
		}
	}
	return out
}

func TestFlattenMatchesCursor(t *testing.T) {
	src := []byte("int f(struct s *p) { if (p->x && g(p)) return 1; return h(&p->y, 2); }\n")
	flat, err := parseTree(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	p := sitter.NewParser()
	p.SetLanguage(language())
	tr, err := p.ParseCtx(context.Background(), nil, src)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var want []node
	var walk func(n *sitter.Node, field string)
	walk = func(n *sitter.Node, field string) {
		var fid uint16
		for i := 1; ; i++ {
			name := language().FieldName(i)
			if name == "" {
				break
			}
			if name == field {
				fid = uint16(i)
			}
		}
		var flags uint8
		if n.IsNamed() {
			flags |= flagNamed
		}
		if n.IsMissing() {
			flags |= flagMissing
		}
		want = append(want, node{start: n.StartByte(), end: n.EndByte(), sym: uint16(n.Symbol()), field: fid, flags: flags})
		for i := 0; i < int(n.ChildCount()); i++ {
			walk(n.Child(i), n.FieldNameForChild(i))
		}
	}
	walk(tr.RootNode(), "")
	if len(want) != len(flat.nodes) {
		t.Fatalf("flat tree has %d nodes, the cursor walk %d", len(flat.nodes), len(want))
	}
	for i := range want {
		got := flat.nodes[i]
		got.next = 0
		if got != want[i] {
			t.Fatalf("node %d: flat %+v, cursor %+v", i, got, want[i])
		}
	}
	// subtree ends: the root spans everything, and children nest
	if int(flat.nodes[0].next) != len(flat.nodes) {
		t.Errorf("root next = %d, want %d", flat.nodes[0].next, len(flat.nodes))
	}
}

func TestPrepKeepsOffsets(t *testing.T) {
	src := []byte("SYSCALL_DEFINE2(x, const char __user *, name, int, n)\n{\n\tlist_for_each_entry(a, &b->c, d) {\n\t\tmin_t(unsigned long, a, b);\n\t}\n\treturn ({ int q = 1; q; });\n}\n")
	p := prep(src)
	if len(p.src) != len(src) {
		t.Fatalf("prep changed the length: %d -> %d", len(src), len(p.src))
	}
	for i := range src {
		if (src[i] == '\n') != (p.src[i] == '\n') {
			t.Fatalf("prep moved a line break at byte %d:\n%s", i, p.src)
		}
	}
	for _, want := range []string{"long            x( const char        *  name, int  n)", "while              (a, &b->c, d) {", "_nsigned_long", "(0"} {
		if !bytes.Contains(p.src, []byte(want)) {
			t.Errorf("prep output lacks %q:\n%s", want, p.src)
		}
	}
}

func TestAnnotations(t *testing.T) {
	f := parseTestFile(t, "attributes.c")
	got := func(name string) []string {
		var out []string
		for _, a := range function(t, f, name).Annotations {
			out = append(out, a.Kind+":"+a.Arg.Norm)
		}
		return out
	}
	for name, want := range map[string]string{
		"take_both":  "acquires:mm->page_table_lock acquires:mm->mmap_lock",
		"drop_ptl":   "releases:mm->page_table_lock",
		"needs_ptl":  "must_hold:mm->page_table_lock",
		"setup_area": "",
	} {
		if g := strings.Join(got(name), " "); g != want {
			t.Errorf("%s annotations = %q, want %q", name, g, want)
		}
	}
	if fn := function(t, f, "setup_area"); !fn.Static || fn.ReturnType.Type != "int" {
		t.Errorf("setup_area: static=%v returns %q", fn.Static, fn.ReturnType.Type)
	}
	if v, _ := function(t, f, "old_entry").VarType("uaddr"); v.Type != "unsigned long" || v.Pointer != 1 {
		t.Errorf("old_entry uaddr = %+v", v)
	}
}

func TestEntryMacros(t *testing.T) {
	f := parseTestFile(t, "entries.c")
	for name, macro := range map[string]string{
		"sys_getnothing":         "SYSCALL_DEFINE0",
		"sys_lockrange":          "SYSCALL_DEFINE3",
		"compat_sys_lockrange32": "COMPAT_SYSCALL_DEFINE2",
		"bpf_peek":               "BPF_CALL_2",
		"helper_after_macro":     "",
	} {
		if fn := function(t, f, name); fn.Entry != macro {
			t.Errorf("%s: Entry = %q, want %q", name, fn.Entry, macro)
		}
	}
	fn := function(t, f, "sys_lockrange")
	var params []string
	for _, p := range fn.Params {
		params = append(params, p.Name+":"+varType(p))
	}
	if g := strings.Join(params, " "); g != "start:unsigned long len:size_t name:char*" {
		t.Errorf("sys_lockrange params = %s", g)
	}
}

func TestStatementExpressionEvents(t *testing.T) {
	fn := function(t, parseTestFile(t, "stmtexpr.c"), "sum_locked")
	got := strings.Join(events(fn, EvCall), "\n")
	want := "8:3 call spin_lock(lock)\n10:3 call spin_unlock(lock)\n14:35 call get_bias()"
	if got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
}

func TestGuardScopes(t *testing.T) {
	f := parseTestFile(t, "guards.c")
	// each return releases the guard before leaving
	if got := len(events(function(t, f, "guarded_update"), EvScopeEnd)); got != 2 {
		t.Errorf("guarded_update: %d scope ends, want 2 (one per return)", got)
	}
	// the goto out of the scoped_guard body releases it, and so does the
	// end of the body
	if got := events(function(t, f, "scoped_update"), EvScopeEnd); len(got) != 2 {
		t.Errorf("scoped_update scope ends: %v", got)
	}
}

func TestWrites(t *testing.T) {
	fn := function(t, parseTestFile(t, "writes.c"), "stores")
	got := events(fn, EvWrite)
	want := []string{
		"15:2 write vma->vm_end = base=vma type=vm_area_struct fields=vm_end",
		"16:2 write vma->vm_flags &= base=vma type=vm_area_struct fields=vm_flags",
		"17:2 write c->hits ++ base=c type=counter fields=hits",
		"18:4 write c->vma->vm_pgoff -- base=c fields=vma.vm_pgoff",
		"19:2 write c->vma->vm_mm->map_count = base=c fields=vma.vm_mm.map_count",
		"20:2 write *p = base=p",
		"21:2 write p[2] = base=p",
		"22:13 write vma->vm_flags WRITE_ONCE base=vma type=vm_area_struct fields=vm_flags",
		"23:21 write c->vma rcu_assign_pointer base=c type=counter fields=vma",
		"24:21 write c->hits smp_store_release base=c type=counter fields=hits",
		"25:2 write (*c).hits = base=c type=counter fields=hits",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTrylockBranch(t *testing.T) {
	fn := function(t, parseTestFile(t, "control.c"), "move_range")
	// the block that calls spin_trylock branches on exactly that call
	for _, b := range fn.Blocks {
		for _, e := range b.Events {
			if e.Callee != "spin_trylock" {
				continue
			}
			if len(b.Succs) != 2 || b.Succs[0].Cond != e.Call || b.Succs[1].Cond != e.Call || b.Succs[0].Neg == b.Succs[1].Neg {
				t.Fatalf("trylock block edges %+v, call %q", b.Succs, e.Call)
			}
			return
		}
	}
	t.Fatal("no spin_trylock call")
}

func TestIfdefSplitsElseChain(t *testing.T) {
	f := parseTestFile(t, "ifdef.c")
	fn := function(t, f, "pick_base")
	if len(fn.ParseErrors) != 0 {
		t.Fatalf("pick_base still has parse errors at %v", fn.ParseErrors)
	}
	// the function after it survives too
	function(t, f, "after_pick")
	// #ifdef around whole statements stays a branch in the CFG
	got := 0
	for _, b := range function(t, f, "maybe_flush").Blocks {
		for _, e := range b.Succs {
			if e.Cond == "defined(CONFIG_FLUSH_EARLY)" {
				got++
			}
		}
	}
	if got != 2 {
		t.Errorf("maybe_flush: %d edges on defined(CONFIG_FLUSH_EARLY), want 2", got)
	}
}

func TestBadInput(t *testing.T) {
	_, err := ParseFile(context.Background(), "bin.c", []byte("int x;\nint y\x00;\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "bin.c:2:6: ") {
		t.Fatalf("NUL byte: err = %v, want one at bin.c:2:6", err)
	}
	f, err := ParseFile(context.Background(), "broken.c", []byte("int f(void)\n{\n\tif (x {\n\t\tfoo();\n}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Functions) != 1 || len(f.Functions[0].ParseErrors) == 0 {
		t.Fatalf("unbalanced body: want one function with its parse error located, got %+v", f.Functions)
	}
	if p := f.Functions[0].ParseErrors[0]; p.Line < 3 {
		t.Errorf("parse error at %v, want at or after line 3", p)
	}
}

// A #define whose continued lines end in comments once made tree-sitter
// read the rest of the file as one broken declaration (pktgen.c's
// PKT_FLAGS): the functions after it must parse, on their lines.
func TestDefineWithComments(t *testing.T) {
	f := parseTestFile(t, "define_comments.c")
	for name, line := range map[string]int{"box_bump": 18, "box_read": 25} {
		fn := function(t, f, name)
		if len(fn.ParseErrors) > 0 {
			t.Errorf("%s: parse errors %v", name, fn.ParseErrors)
		}
		if fn.Pos.Line != line {
			t.Errorf("%s at line %d, want %d", name, fn.Pos.Line, line)
		}
	}
	if got := events(function(t, f, "box_bump"), EvCall); len(got) != 2 {
		t.Errorf("box_bump calls = %v", got)
	}
}
