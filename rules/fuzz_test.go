package rules

import (
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
)

// FuzzParsePattern: any pattern text either parses or is refused with an
// error; a parsed pattern matches any call without panicking.
func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"vmlist_modify_lock($mm)", "spin_lock(&$x->lock) if $x: anon_vma", "$l = pmd_lock(...)",
		"*->vm_ops->*(...)", "f(_, ..., x)", "f($a, $a)", "g(&_->x, _)", "h($x) if $x ~ ptl$", "(", "f(", "$", "x if y"} {
		f.Add(s, "spin_lock", "&mm->page_table_lock")
	}
	f.Fuzz(func(t *testing.T, pat, callee, arg string) {
		p, err := ParsePattern(pat)
		if err != nil {
			return
		}
		ev := &parse.Event{Kind: parse.EvCall, Callee: callee, Args: []parse.Expr{{Text: arg, Norm: parse.NormalizeText(arg)}}, Result: "r"}
		if b, ok := p.MatchEvent(ev, func(string) string { return "anon_vma" }); ok {
			_ = p.First(b)
		}
	})
}

// FuzzLoadData: any rules file loads or fails with an error that names
// the file; never a panic.
func FuzzLoadData(f *testing.F) {
	f.Add([]byte("rules:\n  - id: x\n    kind: requires\n    message: m\n    calls: [\"f()\"]\n    locks: [vmlist]\n"), uint8(0))
	f.Add([]byte("locks:\n  l:\n    acquire: [\"a($x)\"]\n    release: [\"b($x)\"]\n"), uint8(0))
	f.Add([]byte(`{"rules": [{"id": "y", "kind": "order", "message": "m", "order": ["vmlist", "page"]}]}`), uint8(1))
	f.Add([]byte("[[rules]]\nid = \"z\"\nkind = \"forbid-call\"\nmessage = \"no\"\ncalls = [\"schedule()\"]\n"), uint8(2))
	f.Add([]byte("rules: [1, 2, {id: }]\nlocks: 3\n"), uint8(0))
	// The schema check's paths: unknown keys, wrong types, aliases,
	// inline tables, keys given twice.
	f.Add([]byte("a: &x {mesage: m}\nrules:\n  - <<: *x\n    kind: 3\n    calls: f()\n"), uint8(0))
	f.Add([]byte("rules = [{id = \"r\", cals = [1]}]\n[locks.l]\nspinn = \"yes\"\n"), uint8(2))
	f.Add([]byte(`{"rules": [{"id": "r", "id": "s", "severity": 3}], "locks": {"": {}}}`), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		format := []string{"yaml", "json", "toml"}[which%3]
		_, err := LoadData("fuzz."+format, data, format)
		if err != nil && !strings.Contains(err.Error(), "fuzz."+format) {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
