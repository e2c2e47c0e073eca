package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const racyC = `struct mm_struct;
struct vm_area_struct { unsigned long vm_start, vm_end; struct mm_struct *vm_mm; };
void vmlist_modify_lock(struct mm_struct *mm);
void vmlist_modify_unlock(struct mm_struct *mm);

int shrink(struct vm_area_struct *vma, unsigned long len)
{
	vma->vm_end -= len;
	vmlist_modify_lock(vma->vm_mm);
	vmlist_modify_unlock(vma->vm_mm);
	return 0;
}
`

// inDir runs the CLI with the working directory set to dir.
func inDir(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	return runCLI(t, args...)
}

// The configuration file is found from a subdirectory upward; LOCKLINT_*
// variables override it, and flags override both.
func TestConfigPrecedence(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "mm")
	os.MkdirAll(sub, 0o755)
	write(t, filepath.Join(sub, "racy.c"), racyC)
	write(t, filepath.Join(root, ".locklint.yaml"), "format: json\nseverity:\n  vma-list-modify: warning\n")

	code, out, stderr := inDir(t, sub, "check", "racy.c")
	if code != exitOK || !strings.Contains(out, `"severity": "warning"`) {
		t.Errorf("config file: exit %d, stderr %s\n%s", code, stderr, out)
	}
	t.Setenv("LOCKLINT_FORMAT", "github")
	code, out, _ = inDir(t, sub, "check", "racy.c")
	if code != exitOK || !strings.HasPrefix(out, "::warning file=racy.c,line=8") {
		t.Errorf("environment over file: exit %d\n%s", code, out)
	}
	code, out, _ = inDir(t, sub, "check", "--format", "text", "--fail-on", "warning", "racy.c")
	if code != exitFindings || !strings.HasPrefix(out, "racy.c:8:2: warning:") {
		t.Errorf("flags over both: exit %d\n%s", code, out)
	}
	t.Setenv("LOCKLINT_DISABLE", "vma-list-modify")
	code, out, _ = inDir(t, sub, "check", "--format", "text", "racy.c")
	if code != exitOK || strings.Contains(out, "vma-list-modify") {
		t.Errorf("disabled by environment: exit %d\n%s", code, out)
	}
	// built-in rules can be turned off too
	if code, _, stderr := inDir(t, sub, "check", "--disable", "lock-balance,double-acquire", "racy.c"); code == exitUsage {
		t.Errorf("disabling built-ins: %s", stderr)
	}
	write(t, filepath.Join(root, ".locklint.yaml"), "formt: json\n")
	code, _, stderr = inDir(t, sub, "check", "racy.c")
	if code != exitUsage || !strings.Contains(stderr, ".locklint.yaml: unknown setting formt") {
		t.Errorf("typo in the config: exit %d %q", code, stderr)
	}
	write(t, filepath.Join(root, ".locklint.yaml"), "severity:\n  no-such-rule: error\n")
	if code, _, stderr = inDir(t, sub, "check", "racy.c"); code != exitUsage || !strings.Contains(stderr, `no rule "no-such-rule"`) {
		t.Errorf("unknown rule: exit %d %q", code, stderr)
	}
}

// A suppression with a reason silences its finding; one without a reason
// does not and is reported; one that matches nothing is reported.
func TestSuppressions(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "racy.c")
	write(t, p, strings.Replace(racyC, "\tvma->vm_end -= len;\n", "\t/* locklint: ignore vma-list-modify -- not on the list yet here */\n\tvma->vm_end -= len;\n", 1))
	code, out, _ := runCLI(t, "check", p)
	if code != exitOK || strings.Contains(out, "vma-list-modify]") {
		t.Errorf("suppressed: exit %d\n%s", code, out)
	}
	write(t, p, strings.Replace(racyC, "\tvma->vm_end -= len;\n", "\tvma->vm_end -= len; /* locklint: ignore vma-list-modify */\n", 1))
	code, out, _ = runCLI(t, "check", p)
	if code != exitFindings || !strings.Contains(out, "[vma-list-modify]") || !strings.Contains(out, "[bad-suppression]") {
		t.Errorf("no reason: exit %d\n%s", code, out)
	}
	write(t, p, racyC+"/* locklint: ignore lock-balance -- old */\nint x;\n")
	code, out, _ = runCLI(t, "check", "--fail-on", "none", p)
	if code != exitOK || !strings.Contains(out, "[unused-suppression]") {
		t.Errorf("unused: exit %d\n%s", code, out)
	}
}

// A baseline keeps known findings out, also after the code moved.
func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "racy.c")
	base := filepath.Join(dir, "baseline.json")
	write(t, p, racyC)
	if code, _, stderr := runCLI(t, "check", "--write-baseline", base, p); code != exitFindings {
		t.Fatalf("write-baseline: exit %d %s", code, stderr)
	}
	write(t, p, "/* moved */\n/* down */\n"+racyC)
	code, out, _ := runCLI(t, "check", "--baseline", base, p)
	if code != exitOK || strings.Contains(out, "vma-list-modify") {
		t.Errorf("baseline: exit %d\n%s", code, out)
	}
	write(t, p, strings.Replace(racyC, "int shrink", "int shrink2(struct vm_area_struct *vma)\n{\n\tvma->vm_start = 0;\n\tvmlist_modify_lock(vma->vm_mm);\n\tvmlist_modify_unlock(vma->vm_mm);\n\treturn 0;\n}\n\nint shrink", 1))
	code, out, _ = runCLI(t, "check", "--baseline", base, p)
	if code != exitFindings || strings.Count(out, "[vma-list-modify]") != 1 || !strings.Contains(out, "vm_start") {
		t.Errorf("new finding past the baseline: exit %d\n%s", code, out)
	}
}

// The seeds: three mails without a patch say so and pass; 003's finding
// is shown under its patch and hunk; a patch reads from stdin too.
func TestSeedsOnTheCommandLine(t *testing.T) {
	for _, n := range []string{"000_d9ff6d99e956d1aa", "001_441b94393b0554c8", "002_0e4dc71f7592cf87"} {
		code, _, stderr := runCLI(t, "check", "../../testdata/seeds/"+n+".txt")
		if code != exitOK || !strings.Contains(stderr, "no patch in it") {
			t.Errorf("%s: exit %d %q", n, code, stderr)
		}
	}
	code, out, _ := runCLI(t, "check", "--fail-on", "warning", "../../testdata/seeds/003_5bcc65ad718d352e.txt")
	want := "[PATCH] 003_5bcc65ad718d352e.txt\n  @@ -141,8 +141,10 @@\nmm/mremap.c:147:2: warning: releases vma->vm_mm but the vmlist lock held here is current->mm [lock-mismatch, introduced]\n"
	if code != exitFindings || !strings.Contains(out, want) || strings.Contains(out, "unmap") || !strings.Contains(out, "42 hunks (0 unrecovered)") {
		t.Errorf("003: exit %d\n%s", code, out)
	}
	data, err := os.ReadFile("../../testdata/diffscan/series/series.mbox")
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	c := newRootCmd()
	c.SetArgs([]string{"check", "-"})
	c.SetIn(strings.NewReader(string(data)))
	c.SetOut(&stdout)
	c.SetErr(&stderr)
	if err := c.Execute(); err == nil || !strings.Contains(stdout.String(), "[PATCH v2 2/4] mm: shrink without waiting") {
		t.Errorf("stdin: %v\n%s%s", err, stdout.String(), stderr.String())
	}
}
