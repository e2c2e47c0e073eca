package diffscan

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/locklint/locklint/rules"
)

// FuzzMIMEDepth nests a patch in multipart and message/rfc822 parts, at
// any depth, with one boundary or many, and with fuzzed text spliced in
// at a level: no panic; at most one depth error per message; below the
// limit with nothing spliced in, the patch is found.
func FuzzMIMEDepth(f *testing.F) {
	f.Add(uint16(3), false, false, uint16(0), "")
	f.Add(uint16(16), false, false, uint16(0), "")
	f.Add(uint16(17), true, false, uint16(0), "")
	f.Add(uint16(5000), false, true, uint16(7), "--B\n")
	f.Add(uint16(40), false, false, uint16(30), "Content-Type: multipart/mixed; boundary=\"b31\"\n\n")
	f.Add(uint16(20), true, false, uint16(2), "Content-Transfer-Encoding: base64\n\n!!!\n")
	f.Fuzz(func(t *testing.T, levels uint16, rfc822, one bool, at uint16, junk string) {
		levels %= 6000
		mail := nestedMail(int(levels), rfc822, one)
		if junk != "" {
			// splice the junk in after the header block of one level
			k := 0
			for i := 0; i <= int(at)%(int(levels)+1); i++ {
				j := strings.Index(mail[k:], "\n\n")
				if j < 0 {
					break
				}
				k += j + 2
			}
			mail = mail[:k] + junk + mail[k:]
		}
		s := Read("deep.eml", []byte(mail), Options{})
		depthErrs := 0
		for _, d := range s.Diags {
			if strings.Contains(d.Text, "nested more than") {
				depthErrs++
				if !d.Error {
					t.Fatalf("a part not read is a warning: %s", d)
				}
			}
		}
		if depthErrs > s.Messages {
			t.Fatalf("%d depth errors for %d messages", depthErrs, s.Messages)
		}
		if junk == "" && int(levels) <= maxMIMEDepth && s.HunkCount() != 1 {
			t.Fatalf("%d levels: %d hunks, diags %v", levels, s.HunkCount(), s.Diags)
		}
		if junk == "" && int(levels) > maxMIMEDepth && !one && depthErrs != 1 {
			t.Fatalf("%d levels: no depth error, diags %v", levels, s.Diags)
		}
	})
}

// fuzzSet is one analyzer with the default rules for every input.
var fuzzSet = sync.OnceValue(func() *Analyzer {
	set, err := rules.Default()
	if err != nil {
		panic(err)
	}
	return &Analyzer{Set: set, Jobs: 1}
})

// FuzzLongLine analyzes a patch whose added line is a fuzzed statement
// repeated up to 3,000 times (very long lines; many findings on one
// line): no panic, every finding placed in the file and hunk, every
// hunk analyzed or counted, and memory within a bound of the input.
// (TestManyFindingsOneLineLinear and the benchmark take 6,000; here the
// bound keeps a run at several inputs a second.)
func FuzzLongLine(f *testing.F) {
	f.Add("spin_lock(&p->lock); ", uint16(3000))
	f.Add("spin_unlock(&p->lock); ", uint16(3000))
	f.Add("mutex_lock(&m); spin_lock(&p->lock); mutex_unlock(&m); ", uint16(2000))
	f.Add("if (x) { spin_lock(&p->lock); ", uint16(1000))
	f.Add("((((", uint16(3000))
	f.Add("/* x */", uint16(100))
	f.Fuzz(func(t *testing.T, stmt string, n uint16) {
		n %= 3001
		if strings.ContainsAny(stmt, "\n\r") || len(stmt)*int(n) > 256<<10 {
			return // one line, at most 256 kB
		}
		line := strings.Repeat(stmt, int(n))
		patch := "--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,3 +1,4 @@ void f(struct s *p)\n void f(struct s *p)\n {\n+\t" + line + "\n }\n"
		s := Read("long.patch", []byte(patch), Options{})
		used, r := allocated(t, fuzzSet(), patch)
		hunks := 0
		for _, p := range s.Patches {
			for _, fd := range p.Files {
				hunks += len(fd.Hunks)
			}
		}
		if r.Unchecked > hunks+s.Unrecovered {
			t.Fatalf("%d unchecked of %d hunks", r.Unchecked, hunks+s.Unrecovered)
		}
		errs := 0
		for _, d := range r.Diags {
			if d.Error {
				errs++
			}
		}
		if (errs > 0) != (r.Unchecked > s.Unrecovered) {
			t.Fatalf("error diags %v but %d unchecked", r.Diags, r.Unchecked)
		}
		for _, fd := range r.Findings {
			if fd.File != "mm/x.c" || fd.Line < 1 || fd.Line > 4 || fd.Hunk == nil {
				t.Fatalf("finding at %s:%d hunk %v", fd.File, fd.Line, fd.Hunk)
			}
		}
		// the front end needs about a hundred times a file's size; the
		// keys of the findings once needed its square
		if limit := uint64(2000*len(patch) + 64<<20); used > limit {
			t.Fatalf("%d bytes allocated for a %d-byte patch with %d findings", used, len(patch), len(r.Findings))
		}
	})
}

// FuzzFileNames gives a patch hostile names (.., absolute, NUL, quoted,
// links out of the tree, newlines) and applies it to a tree with links
// out of it: no panic, the tree is never asked for a name CheckPath
// refuses, nothing outside it is read, and the hunk is always analyzed.
func FuzzFileNames(f *testing.F) {
	for _, n := range [][2]string{
		{"a/mm/ok.c", "b/mm/ok.c"},
		{"a/mm/../../outside/secret.c", "b/mm/../../outside/secret.c"},
		{"a/../outside/secret.c", "b/../outside/secret.c"},
		{"/etc/passwd", "b/mm/ok.c"},
		{"a/mm/link.c", "b/mm/link.c"},
		{"a/mm/outdir/secret.c", "b/mm/outdir/secret.c"},
		{`"a/mm/nl\nx.c"`, `"b/mm/nl\nx.c"`},
		{`"a/mm/\056\056/\056\056/outside/secret.c"`, `"b/mm/\056\056/\056\056/outside/secret.c"`},
		{`"a/mm/x\000.c"`, `"b/mm/x\000.c"`},
		{"a/mm/in.c\t2024-01-01 00:00:00", "b/mm/in.c"},
		{"/dev/null", "b/mm/new.c"},
		{"a/.git/config", "b/mm/ok.c"},
	} {
		f.Add(n[0], n[1])
	}
	tree, _ := hostileTree(f)
	f.Fuzz(func(t *testing.T, old, nw string) {
		if strings.ContainsAny(old+nw, "\n") {
			return // a header is one line; git quotes a newline
		}
		patch := "diff --git " + old + " " + nw + "\n--- " + old + "\n+++ " + nw + "\n" +
			"@@ -1,3 +1,5 @@ void secret_fn(struct s *p)\n void secret_fn(struct s *p)\n {\n" +
			"+\tspin_lock(&p->lock);\n+\tspin_lock(&p->lock);\n \tint a;\n"
		s := Read("names.patch", []byte(patch), Options{})
		rt := &guardTree{t: t, base: DirTree(tree)}
		r := (&Analyzer{Set: fuzzSet().Set, Tree: rt, Jobs: 1}).Run(context.Background(), s)
		if s.Unrecovered == 0 && s.HunkCount() == 1 && IsC(s.Patches[0].Files[0].Name()) {
			if r.Unchecked != 0 {
				t.Fatalf("names %q %q: %d unchecked, diags %v", old, nw, r.Unchecked, r.Diags)
			}
			if len(r.Findings) == 0 {
				t.Fatalf("names %q %q: the hunk's finding is lost; diags %v", old, nw, r.Diags)
			}
		}
		for _, d := range r.Diags {
			if d.Error && r.Unchecked == 0 {
				t.Fatalf("names %q %q: an error, but nothing unchecked: %s", old, nw, d)
			}
		}
	})
}

// guardTree fails the test on a name CheckPath refuses and on reading
// the file outside the tree.
type guardTree struct {
	t    *testing.T
	base Tree
}

func (g *guardTree) ReadFile(p string) ([]byte, error) {
	if err := CheckPath(p); err != nil {
		g.t.Fatalf("the tree was asked for %q (%v)", p, err)
	}
	data, err := g.base.ReadFile(p)
	if bytes.Equal(data, []byte(secretFile)) {
		g.t.Fatalf("%q read the file outside the tree", p)
	}
	return data, err
}
