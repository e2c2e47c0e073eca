package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Revisions are resolved to commits before git sees them: a range or a
// base that looks like an option is refused, and nothing is written.
func TestDiffRevisionsAreNotOptions(t *testing.T) {
	bin := buildBinary(t)
	dir := gitRepo(t)
	write(t, filepath.Join(dir, "mm", "grow.c"), growC+"\n/* more */\n")
	mustRun(t, dir, "git", "commit", "-q", "-a", "-m", "second")
	for _, args := range [][]string{
		{"diff", "HEAD~1..--output=victim.txt"},
		{"diff", "--base=-x"},
		{"diff", "--base", "--output=victim.txt"},
		{"diff", "--base", "no-such-branch"},
		{"diff", "HEAD~1..no-such-rev"},
	} {
		out, code := runCode(dir, bin, args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d\n%s", args, code, exitUsage, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "victim.txt")); err == nil {
			t.Fatalf("%q wrote victim.txt", args)
		}
	}
	// real revisions still work, also as branch names and tags
	mustRun(t, dir, "git", "tag", "v1", "HEAD~1")
	if out, code := runCode(dir, bin, "diff", "v1..HEAD"); code != exitOK || !strings.Contains(out, "preexisting]") {
		t.Errorf("v1..HEAD: exit %d\n%s", code, out)
	}
	if out, code := runCode(dir, bin, "diff", "--base", "v1"); code != exitOK {
		t.Errorf("--base v1: exit %d\n%s", code, out)
	}
}

// A hunk that could not be analyzed fails the run by default; the
// summary and stderr say so, and --allow-unchecked accepts it.
func TestUncheckedCodeFails(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t.patch")
	write(t, p, "--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n@@ -10,2 +10,2 @@\n a\n-b\n+c\n")
	code, out, stderr := runCLI(t, "check", p)
	if code != exitFindings || !strings.Contains(out, "1 unrecovered") || !strings.Contains(stderr, "--allow-unchecked") {
		t.Errorf("unchecked hunk: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "check", "--allow-unchecked", p); code != exitOK {
		t.Errorf("--allow-unchecked: exit %d\n%s%s", code, out, stderr)
	}
}

// One unreadable or hostile file does not lose the others' findings.
func TestBadFileKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "racy.c"), racyC)
	write(t, filepath.Join(dir, "blob.c"), "int a;\n\x00\x01")
	code, out, stderr := runCLI(t, "check", dir)
	if code != exitUsage || !strings.Contains(out, "racy.c:8:2: error:") || !strings.Contains(stderr, "NUL byte") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "check", filepath.Join(dir, "racy.c"), "/dev/zero")
	if code != exitUsage || !strings.Contains(out, "racy.c:8:2: error:") || !strings.Contains(stderr, "/dev/zero") {
		t.Errorf("with /dev/zero: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

// Inputs that are not regular files or are too large are refused with
// their name, at once: /dev/zero, a named pipe with no writer.
func TestInputLimits(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.mbox")
	if err := syscallMkfifo(fifo); err != nil {
		t.Skip("no named pipes here:", err)
	}
	big := filepath.Join(dir, "big.c")
	write(t, big, racyC+strings.Repeat("/* padding */\n", 100))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "/dev/zero"}, "/dev/zero: not a regular file (a character device)"},
		{[]string{"check", fifo}, "pipe.mbox: not a regular file (a named pipe)"},
		{[]string{"check", "--max-file-size", "1000", big}, "big.c: file too large"},
		{[]string{"check", "--max-file-size", "0", big}, "--max-file-size: 0"},
	} {
		code, _, stderr := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want %q", c.args, code, stderr, c.want)
		}
	}
	// stdin is bounded too
	var errb strings.Builder
	code := runWithStdin(strings.NewReader(strings.Repeat("x", 5000)), &errb, "check", "--max-file-size", "4096", "-")
	if code != exitUsage || !strings.Contains(errb.String(), "standard input") {
		t.Errorf("large stdin: exit %d %q", code, errb.String())
	}
}

// -j is a number of workers, from 1 to a bound; settings of the wrong
// type are refused with the file that set them, not read as zero.
func TestSettingsAreValidated(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "racy.c"), racyC)
	for _, c := range []struct {
		args []string
		cfg  string
		want string
	}{
		{[]string{"-j", "0"}, "", "--jobs: 0 is not between 1 and"},
		{[]string{"-j", "-1"}, "", "--jobs: -1"},
		{[]string{"-j", "1000000"}, "", "--jobs: 1000000"},
		{nil, "jobs: many\n", ".locklint.yaml: jobs: many is not valid"},
		{nil, "severity: error\n", ".locklint.yaml: severity: error is not valid"},
		{nil, "disable: {a: b}\n", ".locklint.yaml: disable:"},
		{nil, "format: [text, json]\n", ".locklint.yaml: format:"},
		{nil, "jobs: 0\n", "--jobs: 0 is not between"},
	} {
		os.Remove(filepath.Join(dir, ".locklint.yaml"))
		if c.cfg != "" {
			write(t, filepath.Join(dir, ".locklint.yaml"), c.cfg)
		}
		code, _, stderr := inDir(t, dir, append(append([]string{"check"}, c.args...), "racy.c")...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q %q: exit %d, stderr %q; want %q", c.args, c.cfg, code, stderr, c.want)
		}
	}
	os.Remove(filepath.Join(dir, ".locklint.yaml"))
	if code, _, stderr := inDir(t, dir, "check", "-j", "3", "racy.c"); code != exitFindings {
		t.Errorf("-j 3: exit %d %s", code, stderr)
	}
}

// The report never replaces a file the run reads, and a report written
// to a file says where it went.
func TestOutputIsNotAnInput(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "racy.c")
	write(t, src, racyC)
	code, _, stderr := runCLI(t, "check", "-o", src, src)
	if code != exitUsage || !strings.Contains(stderr, "refusing to overwrite") {
		t.Errorf("-o an input: exit %d %q", code, stderr)
	}
	if data, _ := os.ReadFile(src); string(data) != racyC {
		t.Fatalf("the input was overwritten")
	}
	code, _, stderr = runCLI(t, "check", "-o", src, dir)
	if code != exitUsage || !strings.Contains(stderr, "refusing to overwrite") {
		t.Errorf("-o a file of a scanned directory: exit %d %q", code, stderr)
	}
	// a parent directory's configuration sends the report elsewhere
	sub := filepath.Join(dir, "sub")
	os.MkdirAll(sub, 0o755)
	write(t, filepath.Join(dir, ".locklint.yaml"), "output: "+filepath.Join(dir, "report.txt")+"\n")
	write(t, filepath.Join(sub, "racy.c"), racyC)
	code, out, stderr := inDir(t, sub, "check", "-v", "racy.c")
	if code != exitFindings || out != "" || !strings.Contains(stderr, "report written to "+filepath.Join(dir, "report.txt")) ||
		!strings.Contains(stderr, "configuration from "+filepath.Join(dir, ".locklint.yaml")) {
		t.Errorf("output from a parent's configuration: exit %d\nstdout %q\nstderr %q", code, out, stderr)
	}
}

// A directory of patches is checked, and C on standard input too; what
// is skipped is said.
func TestWhatIsThereIsChecked(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "0001-break.patch"), breakPatch)
	write(t, filepath.Join(dir, "notes.txt"), "nothing\n")
	code, out, stderr := runCLI(t, "check", "-v", dir)
	if code != exitFindings || !strings.Contains(out, "mm/grow.c:8:2: error:") || !strings.Contains(stderr, "skipped "+filepath.Join(dir, "notes.txt")) {
		t.Errorf("a directory of patches: exit %d\n%s%s", code, out, stderr)
	}
	empty := t.TempDir()
	write(t, filepath.Join(empty, "Makefile"), "all:\n")
	code, out, stderr = runCLI(t, "check", empty)
	if code != exitOK || !strings.Contains(stderr, "1 file skipped") {
		t.Errorf("nothing to check: exit %d\n%s%s", code, out, stderr)
	}
	var stdout, errb strings.Builder
	code = runWithStdinOut(strings.NewReader(racyC), &stdout, &errb, "check", "-")
	if code != exitFindings || !strings.Contains(stdout.String(), "<stdin>:8:2: error:") {
		t.Errorf("C on stdin: exit %d\n%s%s", code, stdout.String(), errb.String())
	}
}

// breakPatch moves grow's write out from under the lock (growC of the
// end-to-end tests).
const breakPatch = `From: A <a@example.org>
Subject: [PATCH] mm: grow first

---
 mm/grow.c | 2 +-
--- a/mm/grow.c
+++ b/mm/grow.c
@@ -6,6 +6,6 @@
 int grow(struct vm_area_struct *vma, unsigned long len)
 {
+	vma->vm_end += len;
 	vmlist_modify_lock(vma->vm_mm);
-	vma->vm_end += len;
 	vmlist_modify_unlock(vma->vm_mm);
 	return 0;
`

// A hook installed by a go run binary calls locklint from PATH, never
// the temporary binary; --force keeps the old hook and replaces a
// symbolic link, not its target.
func TestInstallHookIsSafe(t *testing.T) {
	bin := buildBinary(t)
	dir := gitRepo(t)
	// a binary where go run leaves one
	tmpBuild := filepath.Join(t.TempDir(), "go-build123", "b001", "exe")
	os.MkdirAll(tmpBuild, 0o755)
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	goRun := filepath.Join(tmpBuild, "locklint")
	if err := os.WriteFile(goRun, data, 0o755); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, dir, goRun, "install-hook")
	hookPath := filepath.Join(dir, ".git", "hooks", "pre-commit")
	hook, _ := os.ReadFile(hookPath)
	if strings.Contains(string(hook), "go-build") || !strings.Contains(out, "not on PATH") {
		t.Errorf("hook from go run:\n%s\n%s", out, hook)
	}
	// with locklint on PATH the hook runs it; without, the commit fails saying why
	write(t, filepath.Join(dir, "mm", "grow.c"), growC+"/* x */\n")
	mustRun(t, dir, "git", "add", "mm/grow.c")
	if out, code := runCode(dir, "git", "commit", "-q", "-m", "x"); code == 0 || !strings.Contains(out, "locklint is not on PATH") {
		t.Errorf("hook without locklint: exit %d %s", code, out)
	}
	c := exec.Command("git", "commit", "-q", "-m", "x")
	c.Dir = dir
	c.Env = append(gitEnv(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := c.CombinedOutput(); err != nil {
		t.Errorf("hook with locklint on PATH: %v %s", err, out)
	}

	// a foreign hook behind a symbolic link
	target := filepath.Join(t.TempDir(), "shared-hook")
	write(t, target, "#!/bin/sh\nexit 0\n")
	os.Remove(hookPath)
	if err := os.Symlink(target, hookPath); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, dir, bin, "install-hook", "--force")
	if got, _ := os.ReadFile(target); string(got) != "#!/bin/sh\nexit 0\n" {
		t.Errorf("the link's target was written: %q", got)
	}
	if fi, err := os.Lstat(hookPath); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Errorf("the hook is still a link: %v", err)
	}
	backup := hookPath + ".locklint-backup"
	if l, err := os.Readlink(backup); err != nil || l != target || !strings.Contains(out, "pre-commit.locklint-backup") {
		t.Errorf("backup %q %v; said %q", l, err, out)
	}
	// a second foreign hook does not replace the first backup
	write(t, hookPath, "#!/bin/sh\necho mine\n")
	mustRun(t, dir, bin, "install-hook", "--force")
	if got, _ := os.ReadFile(backup + ".1"); string(got) != "#!/bin/sh\necho mine\n" {
		t.Errorf("second backup: %q", got)
	}
}

// A baseline matches wherever locklint runs: from a subdirectory, with an
// absolute path, and in locklint diff from a subdirectory.
func TestBaselineIndependentOfDirectory(t *testing.T) {
	dir := gitRepo(t)
	bad := strings.Replace(growC, "\tvmlist_modify_lock(vma->vm_mm);\n\tvma->vm_end += len;", "\tvma->vm_end += len;\n\tvmlist_modify_lock(vma->vm_mm);", 1)
	write(t, filepath.Join(dir, "mm", "grow.c"), bad)
	base := filepath.Join(dir, "base.json")
	if code, _, stderr := inDir(t, dir, "check", "--write-baseline", "base.json", "mm"); code != exitFindings {
		t.Fatalf("write: exit %d %s", code, stderr)
	}
	if b, _ := os.ReadFile(base); !strings.Contains(string(b), `"file": "mm/grow.c"`) {
		t.Errorf("baseline keys are not repository paths:\n%s", b)
	}
	for _, c := range []struct {
		dir  string
		args []string
	}{
		{dir, []string{"check", "--baseline", base, "mm/grow.c"}},
		{filepath.Join(dir, "mm"), []string{"check", "--baseline", "../base.json", "grow.c"}},
		{filepath.Join(dir, "mm"), []string{"check", "--baseline", base, "."}},
		{filepath.Join(dir, "mm"), []string{"check", "--baseline", base, filepath.Join(dir, "mm", "grow.c")}},
	} {
		code, out, stderr := inDir(t, c.dir, c.args...)
		if code != exitOK || strings.Contains(out, "error:") {
			t.Errorf("%s %q: exit %d\n%s%s", c.dir, c.args, code, out, stderr)
		}
	}
	// diff, from a subdirectory, with a baseline written at the top
	bin := buildBinary(t)
	mustRun(t, dir, "git", "add", "mm/grow.c")
	out, code := runCode(dir, bin, "diff", "--cached", "--write-baseline", "diff.json")
	if code != exitFindings {
		t.Fatalf("diff: exit %d %s", code, out)
	}
	if out, code := runCode(filepath.Join(dir, "mm"), bin, "diff", "--cached", "--baseline", "../diff.json"); code != exitOK {
		t.Errorf("diff from mm/ with the top's baseline: exit %d\n%s", code, out)
	}
}

// rules and explain read the same configuration as check.
func TestRulesReadTheConfiguration(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "extra.yaml"), "rules:\n  - id: no-schedule-in-helper\n    kind: forbid-call\n    severity: warning\n    message: \"{call} in a helper\"\n    calls: [\"schedule()\"]\n")
	write(t, filepath.Join(dir, ".locklint.yaml"), "rules: [extra.yaml]\ndisable: [order-inversion]\nseverity: {lock-mismatch: error}\nformat: json\n")
	code, out, stderr := inDir(t, dir, "rules")
	if code != exitOK {
		t.Fatalf("rules: exit %d %s", code, stderr)
	}
	for _, want := range []string{"no-schedule-in-helper", "order-inversion", "lock-mismatch"} {
		if !strings.Contains(out, want) {
			t.Errorf("rules lacks %s:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "order-inversion" && f[2] != "off" || len(f) >= 3 && f[0] == "lock-mismatch" && f[2] != "error" {
			t.Errorf("configured severity not shown: %q", line)
		}
	}
	code, out, stderr = inDir(t, dir, "explain", "no-schedule-in-helper")
	if code != exitOK || !strings.Contains(out, "in a helper") {
		t.Errorf("explain a rule of the configuration's rules file: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = inDir(t, dir, "explain", "order-inversion")
	if code != exitOK || !strings.Contains(out, "In this configuration: off") {
		t.Errorf("explain a disabled rule: exit %d\n%s", code, out)
	}
}

// Scanning the same directory with different numbers of workers gives
// the same bytes, in every format.
func TestOutputIndependentOfJobs(t *testing.T) {
	for _, format := range []string{"text", "json", "sarif"} {
		var first string
		for _, j := range []string{"1", "2", "8"} {
			_, out, stderr := runCLI(t, "check", "--format", format, "-j", j, "../../testdata/check", "../../testdata/parse")
			out = elapsed.ReplaceAllString(out, `"elapsed_ms": 0`)
			if !strings.Contains(out, "lock") {
				t.Fatalf("-j %s %s: no findings? %s", j, format, stderr)
			}
			if first == "" {
				first = out
			} else if out != first {
				t.Errorf("%s output with -j %s differs from -j 1:\n%s", format, j, diffLines(first, out))
			}
		}
	}
}

// Without cgo the build stops with one line that says what is needed,
// not with a page of undefined names from tree-sitter.
func TestBuildWithoutCgoSaysSo(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	c := exec.Command("go", "build", "-o", os.DevNull, ".")
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := c.CombinedOutput()
	if err == nil {
		t.Fatal("built without cgo")
	}
	var msgs []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(l, "#") {
			msgs = append(msgs, l)
		}
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "needs_cgo__install_gcc_or_clang") {
		t.Errorf("want one line naming the cgo requirement, got:\n%s", out)
	}
}
