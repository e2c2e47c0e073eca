package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckStats(t *testing.T) {
	code, _, stderr := runCLI(t, "check", "--stats", "../../testdata/parse")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"files: 11\n", "functions: 31\n", "functions with parse errors: 0 (0.00%)\n", "bytes: ", "elapsed: "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stats lack %q:\n%s", want, stderr)
		}
	}
}

func TestDumpIR(t *testing.T) {
	code, stdout, stderr := runCLI(t, "check", "--dump-ir", "do_remap", "../../testdata/parse/oldstyle.c")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"func do_remap ../../testdata/parse/oldstyle.c:4:1 returns int\n",
		"  param mm mm_struct*\n",
		"call down(mm->mmap_sem)",
		"write mpnt->vm_offset += base=mpnt type=vm_area_struct fields=vm_offset",
		"call vmlist_modify_unlock(mm)",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dump lacks %q:\n%s", want, stdout)
		}
	}
	code, _, stderr = runCLI(t, "check", "--dump-ir", "no_such_function", "../../testdata/parse")
	if code != exitUsage || !strings.Contains(stderr, `no function named "no_such_function"`) {
		t.Errorf("unknown function: exit %d, stderr %q", code, stderr)
	}
}

func TestBadInputs(t *testing.T) {
	code, _, stderr := runCLI(t, "check", "does/not/exist.c")
	if code != exitUsage || !strings.Contains(stderr, "does/not/exist.c") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, "check")
	if code != exitUsage {
		t.Errorf("no arguments: exit %d, stderr %q", code, stderr)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "blob.c")
	if err := os.WriteFile(bin, []byte("int a;\n\x00\x01"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.c")
	if err := os.WriteFile(good, []byte("int f(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "check", "--stats", dir)
	if code != exitUsage || !strings.Contains(stderr, bin+":2:1: NUL byte") {
		t.Errorf("binary file: exit %d, stderr %q", code, stderr)
	}
	// the good file is still read
	if !strings.Contains(stderr, "files: 1\n") {
		t.Errorf("the readable file was not scanned: %q", stderr)
	}
}

func TestCheckFindsAndFails(t *testing.T) {
	code, stdout, stderr := runCLI(t, "check", "../../testdata/check/swapin_racy.c")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitFindings, stderr)
	}
	for _, want := range []string{
		"swapin_racy.c:47:16: error: pte_same() in do_swap_page runs after the swapcache page's lock was dropped",
		"[swapin-pte-same-page-lock]",
		"    ../../testdata/check/swapin_racy.c:41: note: ksm_might_need_to_copy(page, vma, address) (releases unlock_page(page)) here",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI(t, "check", "../../testdata/check/swapin_fixed.c")
	if code != exitOK || stdout != "0 errors, 0 warnings in 1 file\n" {
		t.Errorf("fixed swapin: exit %d, output %q", code, stdout)
	}
}

func TestRulesAndExplain(t *testing.T) {
	code, stdout, _ := runCLI(t, "rules")
	if code != exitOK {
		t.Fatalf("rules: exit %d", code)
	}
	for _, want := range []string{"vma-list-modify", "2 eras", "swapin-pte-same-page-lock", "lock-balance", "sleep-under-spinlock", "lock classes: anon_vma"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("rules output lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = runCLI(t, "explain", "mremap-move-ptes-anon-vma")
	if code != exitOK || !strings.Contains(stdout, "source:  Re: kernel 3.0") || !strings.Contains(stdout, "Bad:") || !strings.Contains(stdout, "take_rmap_locks") {
		t.Errorf("explain: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCLI(t, "explain", "lock-balance")
	if code != exitOK || !strings.Contains(stdout, "locklint built-in") {
		t.Errorf("explain built-in: exit %d\n%s", code, stdout)
	}
	code, _, stderr := runCLI(t, "explain", "no-such-rule")
	if code != exitUsage || !strings.Contains(stderr, "no rule \"no-such-rule\"") {
		t.Errorf("unknown rule: exit %d, %s", code, stderr)
	}
}

func TestExtraRulesFile(t *testing.T) {
	dir := t.TempDir()
	rf := filepath.Join(dir, "extra.yaml")
	os.WriteFile(rf, []byte("rules:\n  - id: no-schedule-in-helper\n    kind: forbid-call\n    severity: warning\n    message: \"{call} in a helper\"\n    calls: [\"schedule()\"]\n"), 0o644)
	src := filepath.Join(dir, "h.c")
	os.WriteFile(src, []byte("static void helper(void)\n{\n\tschedule();\n}\n"), 0o644)
	code, stdout, stderr := runCLI(t, "check", "--rules", rf, src)
	if code != exitOK || !strings.Contains(stdout, "h.c:3:2: warning: schedule() in a helper [no-schedule-in-helper]") {
		t.Errorf("extra rule: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("rules:\n  - id: broken\n    kind: nonsense\n    message: m\n"), 0o644)
	code, _, stderr = runCLI(t, "check", "--rules", bad, src)
	if code != exitUsage || !strings.Contains(stderr, bad+":2: rule broken: kind: unknown kind") {
		t.Errorf("bad rules: exit %d, stderr %s", code, stderr)
	}
}

func runWithStdin(stdin io.Reader, stderr io.Writer, args ...string) int {
	return runWithStdinOut(stdin, io.Discard, stderr, args...)
}

func runWithStdinOut(stdin io.Reader, stdout, stderr io.Writer, args ...string) int {
	return runIO(args, stdin, stdout, stderr)
}
