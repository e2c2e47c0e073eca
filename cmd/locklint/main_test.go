package main

import (
	"bytes"
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
	for _, want := range []string{"files: 10\n", "functions: 29\n", "functions with parse errors: 0 (0.00%)\n", "bytes: ", "elapsed: "} {
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
