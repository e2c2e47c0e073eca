package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
)

func TestDefaultRulesLoad(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"vma-list-modify", "vma-list-calls", "find-vma-locked", "vmlist-no-sleep", "vmlist-one-mm",
		"rmap-walk-anon-vma", "vma-adjust-anon-vma", "mremap-move-ptes-anon-vma", "rmap-lock-before-ptl",
		"anon-vma-chain-append", "migration-page-locked", "swapin-pte-same-page-lock",
		"swapcache-check-after-lock", "uptodate-before-ksm-copy", "cgroup-threadgroup-cpus-lock", "gfs2-tune-gt-spin"}
	for _, id := range want {
		r := s.Rule(id)
		if r == nil {
			t.Errorf("default rule %s missing", id)
			continue
		}
		if r.Source == "" || r.Message == "" || r.Line == 0 {
			t.Errorf("%s: source %q message %q line %d", id, r.Source, r.Message, r.Line)
		}
	}
	if len(s.Rules) != len(want)+1 { // vma-list-modify has two eras
		t.Errorf("%d default rule entries, want %d", len(s.Rules), len(want)+1)
	}
}

func TestPatternMatch(t *testing.T) {
	args := func(ss ...string) []parse.Expr {
		var out []parse.Expr
		for _, s := range ss {
			out = append(out, parse.Expr{Text: s, Norm: parse.NormalizeText(s)})
		}
		return out
	}
	for _, tc := range []struct {
		pat, callee string
		args        []parse.Expr
		inst        string
		ok          bool
	}{
		{"vmlist_modify_lock($mm)", "vmlist_modify_lock", args("current->mm"), "current->mm", true},
		{"vmlist_modify_lock($mm)", "vmlist_modify_lock", args("a", "b"), "", false},
		{"spin_lock(&$mm->page_table_lock)", "spin_lock", args("&mm->page_table_lock"), "mm", true},
		{"spin_lock(&$mm->page_table_lock)", "spin_lock", args("&mm->other"), "", false},
		{"pte_offset_map_lock(_, _, _, &$l)", "pte_offset_map_lock", args("mm", "pmd", "addr", "&ptl"), "ptl", true},
		{"kmalloc(...)", "kmalloc", args("n", "GFP_KERNEL"), "", true},
		{"kmalloc(_, GFP_KERNEL)", "kmalloc", args("n", "GFP_ATOMIC"), "", false},
		{"*->vm_ops->*(...)", "mpnt->vm_ops->close", args("mpnt"), "", true},
		{"*->vm_ops->*(...)", "close", args("mpnt"), "", false},
		{"*->vm_ops->*(...)", "->vm_ops->", args("mpnt"), "", true},
		{"*->rmap_one(...)", "rwc->rmap_one", args("f"), "", true},
		{"*->rmap_one(...)", "rwc->rmap_one_x", args("f"), "", false},
		{"a*b*b(...)", "ab", nil, "", false},
		{"a*b*b(...)", "abb", nil, "", true},
		{"a*b*c(...)", "acbc", nil, "", true},
		{"a*b*c(...)", "acc", nil, "", false},
		{"VM_BUG_ON_PAGE(!PageLocked($p), _)", "VM_BUG_ON_PAGE", args("!PageLocked(page)", "page"), "page", true},
		{"list_add(...)", "list_add_tail", args("a", "b"), "", false},
		{"find_vma", "find_vma", args("mm", "addr"), "", true},
	} {
		p, err := ParsePattern(tc.pat)
		if err != nil {
			t.Fatalf("%s: %v", tc.pat, err)
		}
		b, ok := p.Match(tc.callee, tc.args)
		if ok != tc.ok || ok && p.First(b) != tc.inst {
			t.Errorf("%s on %s%v: ok=%v inst=%q, want ok=%v inst=%q", tc.pat, tc.callee, tc.args, ok, p.First(b), tc.ok, tc.inst)
		}
	}
}

func TestPatternConditions(t *testing.T) {
	p, err := ParsePattern("spin_lock(&$av->lock) if $av: anon_vma")
	if err != nil {
		t.Fatal(err)
	}
	ev := &parse.Event{Kind: parse.EvCall, Callee: "spin_lock", Args: []parse.Expr{{Norm: "anon_vma->lock"}}}
	typeOf := func(e string) string {
		if e == "anon_vma" {
			return "anon_vma"
		}
		return "page"
	}
	if _, ok := p.MatchEvent(ev, typeOf); !ok {
		t.Error("anon_vma->lock should match")
	}
	ev.Args[0].Norm = "page->lock"
	if _, ok := p.MatchEvent(ev, typeOf); ok {
		t.Error("page->lock should not match an anon_vma pattern")
	}
	r, _ := ParsePattern("$av = page_lock_anon_vma_read(...)")
	ev = &parse.Event{Kind: parse.EvCall, Callee: "page_lock_anon_vma_read", Args: []parse.Expr{{Norm: "page"}}, Result: "anon_vma"}
	if b, ok := r.MatchEvent(ev, nil); !ok || r.First(b) != "anon_vma" {
		t.Errorf("result binding: %v %v", b, ok)
	}
}

func TestValidationErrorsNameFileLineField(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(`rules:
  - id: ok-rule
    kind: requires
    message: m
    calls: ["foo()"]
    locks: [vmlist]
  - id: broken
    kind: guarded
    message: "x"
    fields: [vm_start]
    locks: [nosuchlock]
`), 0o644)
	_, err := Load(bad)
	if err == nil {
		t.Fatal("bad rules loaded")
	}
	for _, want := range []string{
		bad + `:7: rule broken: fields: "vm_start" is not struct.field`,
		bad + `:7: rule broken: locks: unknown lock class "nosuchlock"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestOverrideAndFormats(t *testing.T) {
	dir := t.TempDir()
	y := filepath.Join(dir, "extra.yaml")
	os.WriteFile(y, []byte(`rules:
  - id: vma-list-modify
    kind: guarded
    severity: warning
    message: "mine"
    fields: [vm_area_struct.vm_start]
    locks: [vmlist]
`), 0o644)
	j := filepath.Join(dir, "extra.json")
	os.WriteFile(j, []byte(`{"locks": {"biglock": {"acquire": ["lock_kernel()"], "release": ["unlock_kernel()"]}},
 "rules": [{"id": "bkl-calls", "kind": "requires", "message": "needs the BKL", "calls": ["swapout(...)"], "locks": ["biglock"]}]}`), 0o644)
	tm := filepath.Join(dir, "extra.toml")
	os.WriteFile(tm, []byte("[[rules]]\nid = \"no-schedule\"\nkind = \"forbid-call\"\nmessage = \"no\"\ncalls = [\"schedule()\"]\n"), 0o644)
	s, err := Load(y, j, tm)
	if err != nil {
		t.Fatal(err)
	}
	var eras int
	for _, r := range s.Rules {
		if r.ID == "vma-list-modify" {
			eras++
			if r.Severity != Warning || r.Message != "mine" {
				t.Errorf("override not applied: %+v", r)
			}
		}
	}
	if eras != 1 {
		t.Errorf("%d vma-list-modify entries after override, want 1", eras)
	}
	if s.Locks["biglock"] == nil || s.Rule("bkl-calls") == nil || s.Rule("no-schedule") == nil {
		t.Error("JSON or TOML rules not loaded")
	}
	if r := s.Rule("bkl-calls"); r.Line != 2 {
		t.Errorf("JSON rule line %d, want 2", r.Line)
	}
}
