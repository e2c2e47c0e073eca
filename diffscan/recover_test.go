package diffscan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seeds = "../testdata/seeds" // copies of ../shared/seeds

func readSeed(t testing.TB, name string) *Series {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(seeds, name+"_*.txt"))
	if len(matches) != 1 {
		t.Skipf("seed %s not found under %s", name, seeds)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	return Read(filepath.Base(matches[0]), data, Options{})
}

// fileHunks is "name:hunks" for every file diff of a series, in order.
func fileHunks(s *Series) []string {
	var out []string
	for _, p := range s.Patches {
		for _, f := range p.Files {
			out = append(out, f.Name()+":"+itoa(len(f.Hunks)))
		}
	}
	return out
}

func itoa(n int) string { return fmt.Sprintf("%02d", n) }

func TestSeed003AllHunks(t *testing.T) {
	s := readSeed(t, "003")
	got := strings.Join(fileHunks(s), " ")
	want := "Documentation/vm/locking:01 fs/exec.c:01 include/linux/mm.h:01 include/linux/sched.h:02 ipc/shm.c:01 kernel/fork.c:01 kernel/ptrace.c:01 mm/mlock.c:08 mm/mmap.c:12 mm/mprotect.c:08 mm/mremap.c:02 mm/vmscan.c:04"
	if got != want {
		t.Errorf("files:\n got %s\nwant %s", got, want)
	}
	if s.Hunks != 42 || s.HunkCount() != 42 || s.Unrecovered != 0 {
		t.Errorf("hunks: %d found, %d recovered, %d unrecovered; want 42, 42, 0", s.Hunks, s.HunkCount(), s.Unrecovered)
	}
	// the `&current` that became `¤t` is repaired, context lines that
	// lost their space are context again, the footer is not a hunk line
	var text strings.Builder
	for _, f := range s.Patches[0].Files {
		for _, h := range f.Hunks {
			for _, l := range h.Lines {
				text.WriteString(string(l.Op) + l.Text + "\n")
			}
		}
	}
	all := text.String()
	if !strings.Contains(all, " up(&current->mm->mmap_sem);\n") || strings.Contains(all, "¤") {
		t.Errorf("¤t not repaired")
	}
	if strings.Contains(all, "unsubscribe") || strings.Contains(all, "majordomo") {
		t.Errorf("list footer read as hunk lines")
	}
	if !strings.Contains(all, " > (unsigned long) current->rlim[RLIMIT_AS].rlim_cur)\n") {
		t.Errorf("context line starting with '>' lost")
	}
	if len(s.Diags) != 1 || s.Diags[0].Error || !strings.Contains(s.Diags[0].Text, "lost their leading space") {
		t.Errorf("diagnostics: %v", s.Diags)
	}
}

func TestSeed004QuotedPatch(t *testing.T) {
	s := readSeed(t, "004")
	got := strings.Join(fileHunks(s), " ")
	if want := "include/linux/ksm.h:03 mm/ksm.c:02 mm/memory.c:04"; got != want {
		t.Fatalf("files: got %s, want %s", got, want)
	}
	if !s.Patches[0].Quoted {
		t.Error("patch not marked as quoted")
	}
	h := s.Patches[0].Files[0].Hunks[0]
	// the first hunk is interrupted by review text after its third added
	// line and goes on after it
	if h.OldLines != 6 || h.NewLines != 9 || h.Lines[len(h.Lines)-1].Text != "\t\tunsigned long end, int advice, unsigned long *vm_flags);" {
		t.Errorf("ksm.h hunk 1: %s, last line %q", h.Header(), h.Lines[len(h.Lines)-1].Text)
	}
	big := s.Patches[0].Files[2].Hunks[1]
	if big.Header() != "@@ -2671,10 +2671,23 @@" {
		t.Errorf("memory.c hunk 2 header %s", big.Header())
	}
	for _, p := range s.Patches {
		for _, f := range p.Files {
			for _, h := range f.Hunks {
				for _, l := range h.Lines {
					for _, review := range []string{"Hmm, I guess", "Hiding in here", "Do you actually need", "There's a related bug", "Minor point", "Yes, I don't like"} {
						if strings.Contains(l.Text, review) {
							t.Errorf("review text in %s %s: %q", f.Name(), h.Header(), l.Text)
						}
					}
				}
			}
		}
	}
	if o := Read("004", []byte(seedText(t, "004")), Options{NoQuoted: true}); len(o.Patches) != 0 || len(o.Diags) == 0 {
		t.Errorf("--no-quoted: %d patches, diags %v", len(o.Patches), o.Diags)
	}
}

func seedText(t *testing.T, name string) string {
	matches, _ := filepath.Glob(filepath.Join(seeds, name+"_*.txt"))
	if len(matches) != 1 {
		t.Skip("no seed")
	}
	data, _ := os.ReadFile(matches[0])
	return string(data)
}

func TestSeedsWithoutPatch(t *testing.T) {
	for _, n := range []string{"000", "001", "002"} {
		s := readSeed(t, n)
		if len(s.Patches) != 0 || s.Hunks != 0 {
			t.Errorf("seed %s: %d patches, %d hunks; it holds none", n, len(s.Patches), s.Hunks)
		}
	}
}

func TestRecoverRepairs(t *testing.T) {
	in := "Subject: x\n\n" + strings.Join([]string{
		"--- a/mm/x.c\t2010-01-01 00:00:00.000000000 +0000",
		"+++ b/mm/x.c\t2010-01-01 00:00:00.000000000 +0000",
		"@@ -1,4 +1,5 @@ static void f(struct foo *p)",
		" {",
		"\tif (a &amp;&amp; b)\r",
		"+\tspin_lock(®s->lock);",
		"",
		" }",
		"@@ -20,3 +21,3 @@",
		"-x",
		"+y",
		"-- ",
		"2.40.0",
	}, "\n") + "\n"
	s := Read("t.patch", []byte(in), Options{})
	if len(s.Patches) != 1 || len(s.Patches[0].Files) != 1 {
		t.Fatalf("patches: %+v diags %v", s.Patches, s.Diags)
	}
	f := s.Patches[0].Files[0]
	if f.Name() != "mm/x.c" || len(f.Hunks) != 2 {
		t.Fatalf("file %q with %d hunks", f.Name(), len(f.Hunks))
	}
	h := f.Hunks[0]
	if h.Lines[1].Text != "\tif (a && b)" || h.Lines[2].Text != "\tspin_lock(&regs->lock);" || h.Lines[3].Op != ' ' || h.Lines[3].Text != "" {
		t.Errorf("repairs: %+v", h.Lines)
	}
	if h.Section != "static void f(struct foo *p)" {
		t.Errorf("section %q", h.Section)
	}
	// the second hunk is two lines short: the signature is not part of it
	if h2 := f.Hunks[1]; h2.OldLines != 1 || h2.NewLines != 1 {
		t.Errorf("short hunk %s", h2.Header())
	}
}

func TestUnrecoverableHunkIsReported(t *testing.T) {
	in := "--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n@@ -10,2 +10,2 @@\n a\n-b\n+c\n"
	s := Read("t.patch", []byte(in), Options{})
	if s.Hunks != 2 || s.Unrecovered != 1 || s.HunkCount() != 1 {
		t.Fatalf("hunks %d unrecovered %d kept %d", s.Hunks, s.Unrecovered, s.HunkCount())
	}
	var errs []string
	for _, d := range s.Diags {
		if d.Error {
			errs = append(errs, d.String())
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "t.patch:3: error:") || !strings.Contains(errs[0], "x.c @@ -1,3 +1,3 @@") {
		t.Errorf("diagnostics: %q", errs)
	}
}

func TestFileNames(t *testing.T) {
	for _, c := range []struct{ old, nw, wantOld, wantNew string }{
		{"a/mm/x.c", "b/mm/x.c", "mm/x.c", "mm/x.c"},
		{"linux-2.3.orig/mm/x.c", "linux/mm/x.c", "mm/x.c", "mm/x.c"},
		{"/usr/tmp/p_rdiff_a003hF/exec.c", "fs/exec.c", "/usr/tmp/p_rdiff_a003hF/exec.c", "fs/exec.c"},
		{"Documentation/vm/locking", "Documentation/vm/locking", "Documentation/vm/locking", "Documentation/vm/locking"},
		{"/dev/null", "b/mm/new.c", "/dev/null", "mm/new.c"},
	} {
		o, n := stripPrefixes(c.old, c.nw)
		if o != c.wantOld || n != c.wantNew {
			t.Errorf("%s %s: got %s %s", c.old, c.nw, o, n)
		}
	}
	if got := fileName("fs/exec.c Thu Oct 14 09:50:25 1999"); got != "fs/exec.c" {
		t.Errorf("date not stripped: %q", got)
	}
}
