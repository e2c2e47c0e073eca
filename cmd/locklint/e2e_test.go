package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary builds locklint once for the end-to-end tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "locklint-e2e"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "locklint")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// gitRepo makes a repository with mm/grow.c committed.
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mustRun(t, dir, "git", "init", "-q")
	if err := os.MkdirAll(filepath.Join(dir, "mm"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "mm", "grow.c"), growC)
	mustRun(t, dir, "git", "add", ".")
	mustRun(t, dir, "git", "commit", "-q", "-m", "initial")
	return dir
}

const growC = `struct mm_struct;
struct vm_area_struct { unsigned long vm_start, vm_end; struct mm_struct *vm_mm; };
void vmlist_modify_lock(struct mm_struct *mm);
void vmlist_modify_unlock(struct mm_struct *mm);

int grow(struct vm_area_struct *vma, unsigned long len)
{
	vmlist_modify_lock(vma->vm_mm);
	vma->vm_end += len;
	vmlist_modify_unlock(vma->vm_mm);
	return 0;
}

int shrink(struct vm_area_struct *vma, unsigned long len)
{
	vma->vm_end -= len;
	vmlist_modify_lock(vma->vm_mm);
	vmlist_modify_unlock(vma->vm_mm);
	return 0;
}
`

func gitEnv() []string {
	return append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.org", "GIT_CONFIG_NOSYSTEM=1", "HOME="+os.TempDir(), "NO_COLOR=1")
}

func mustRun(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	out, code := runCode(dir, name, args...)
	if code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

func runCode(dir string, name string, args ...string) (string, int) {
	c := exec.Command(name, args...)
	c.Dir = dir
	c.Env = gitEnv()
	out, err := c.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		return err.Error(), -1
	}
	return string(out), 0
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The hook blocks a commit whose staged change moves a write out from
// under its lock, and lets a clean change through. shrink()'s finding is
// there before the change: it does not block.
func TestPreCommitHook(t *testing.T) {
	bin := buildBinary(t)
	dir := gitRepo(t)
	out := mustRun(t, dir, bin, "install-hook")
	if !strings.Contains(out, "pre-commit") {
		t.Errorf("install-hook said %q", out)
	}
	hook, err := os.ReadFile(filepath.Join(dir, ".git", "hooks", "pre-commit"))
	if err != nil || !strings.Contains(string(hook), "diff --cached") {
		t.Fatalf("hook: %v %q", err, hook)
	}
	// a second install is fine; a foreign hook is not replaced
	mustRun(t, dir, bin, "install-hook")

	bad := strings.Replace(growC, "\tvmlist_modify_lock(vma->vm_mm);\n\tvma->vm_end += len;", "\tvma->vm_end += len;\n\tvmlist_modify_lock(vma->vm_mm);", 1)
	write(t, filepath.Join(dir, "mm", "grow.c"), bad)
	mustRun(t, dir, "git", "add", "mm/grow.c")
	out, code := runCode(dir, "git", "commit", "-q", "-m", "grow outside the lock")
	if code != 1 || !strings.Contains(out, "mm/grow.c:8:2: error: write to vma->vm_end") || !strings.Contains(out, "[vma-list-modify, introduced]") {
		t.Errorf("violating commit: exit %d\n%s", code, out)
	}
	if strings.Contains(out, "introduced]") && strings.Count(out, "introduced]") != 1 {
		t.Errorf("more than the one new finding:\n%s", out)
	}

	// the clean change: a comment
	clean := strings.Replace(growC, "\treturn 0;\n}\n\nint shrink", "\treturn 0; /* grown */\n}\n\nint shrink", 1)
	write(t, filepath.Join(dir, "mm", "grow.c"), clean)
	mustRun(t, dir, "git", "add", "mm/grow.c")
	if out, code := runCode(dir, "git", "commit", "-q", "-m", "a comment"); code != 0 {
		t.Errorf("clean commit blocked: exit %d\n%s", code, out)
	}

	write(t, filepath.Join(dir, ".git", "hooks", "pre-commit"), "#!/bin/sh\nexit 0\n")
	if out, code := runCode(dir, bin, "install-hook"); code != exitUsage || !strings.Contains(out, "--force") {
		t.Errorf("foreign hook: exit %d %q", code, out)
	}
}

// diff --cached reports with statuses, in json, and the range form.
func TestDiffCachedAndRange(t *testing.T) {
	bin := buildBinary(t)
	dir := gitRepo(t)
	// fix shrink, break grow
	fixed := strings.Replace(growC, "\tvma->vm_end -= len;\n\tvmlist_modify_lock(vma->vm_mm);", "\tvmlist_modify_lock(vma->vm_mm);\n\tvma->vm_end -= len;", 1)
	both := strings.Replace(fixed, "\tvmlist_modify_lock(vma->vm_mm);\n\tvma->vm_end += len;", "\tvma->vm_end += len;\n\tvmlist_modify_lock(vma->vm_mm);", 1)
	write(t, filepath.Join(dir, "mm", "grow.c"), both)
	mustRun(t, dir, "git", "add", "mm/grow.c")
	out, code := runCode(dir, bin, "diff", "--cached", "--show-fixed")
	if code != 1 || !strings.Contains(out, "mm/grow.c:8:2: error:") || !strings.Contains(out, "introduced]") ||
		!strings.Contains(out, "mm/grow.c:16:2: fixed:") {
		t.Errorf("diff --cached: exit %d\n%s", code, out)
	}
	// unstaged: nothing changed against the index, but HEAD..worktree did
	out, code = runCode(dir, bin, "diff", "--format", "json")
	if code != 1 || !strings.Contains(out, `"status": "introduced"`) || !strings.Contains(out, `"status": "fixed"`) {
		t.Errorf("diff: exit %d\n%s", code, out)
	}
	mustRun(t, dir, "git", "commit", "-q", "--no-verify", "-m", "both")
	out, code = runCode(dir, bin, "diff", "HEAD~1..HEAD", "--fail-on", "none")
	if code != 0 || !strings.Contains(out, "introduced]") {
		t.Errorf("range with --fail-on none: exit %d\n%s", code, out)
	}
	if out, code := runCode(t.TempDir(), bin, "diff"); code != exitUsage || !strings.Contains(out, "not inside a git work tree") {
		t.Errorf("outside git: exit %d %q", code, out)
	}
}

// sleepingHelperRepo makes a repository with a helper mm/note.c and a
// caller put.c in callerDir that calls it under a spinlock, committed,
// and the helper made to sleep, staged.
func sleepingHelperRepo(t *testing.T, callerDir string) string {
	t.Helper()
	dir := gitRepo(t)
	helper := "struct q { spinlock_t lock; int n; };\n\nvoid q_note(struct q *q)\n{\n\tq->n++;\n}\n"
	caller := "struct q { spinlock_t lock; int n; };\nvoid q_note(struct q *q);\n\nvoid q_put(struct q *q)\n{\n\tspin_lock(&q->lock);\n\tq_note(q);\n\tspin_unlock(&q->lock);\n}\n"
	write(t, filepath.Join(dir, "mm", "note.c"), helper)
	if err := os.MkdirAll(filepath.Join(dir, callerDir), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, callerDir, "put.c"), caller)
	mustRun(t, dir, "git", "add", ".")
	mustRun(t, dir, "git", "commit", "-q", "--no-verify", "-m", "queue")
	write(t, filepath.Join(dir, "mm", "note.c"), strings.Replace(helper, "\tq->n++;", "\tq->n++;\n\tmsleep(1);", 1))
	mustRun(t, dir, "git", "add", "mm/note.c")
	return dir
}

// diff reads the directory of each changed file from git too: a helper
// changed to sleep is reported at the caller in the next file, staged
// (the index) and as a range (a revision).
func TestDiffDirectoryContext(t *testing.T) {
	bin := buildBinary(t)
	dir := sleepingHelperRepo(t, "mm")
	// (a sleep one call down is a warning: the helper's own paths may
	// rule it out)
	out, code := runCode(dir, bin, "diff", "--cached", "--fail-on", "warning")
	if code != 1 || !strings.Contains(out, "mm/note.c:6:2: warning: q_note() may sleep") || !strings.Contains(out, "mm/put.c:7: note: found in q_put()") || !strings.Contains(out, "introduced]") {
		t.Errorf("diff --cached: exit %d\n%s", code, out)
	}
	mustRun(t, dir, "git", "commit", "-q", "--no-verify", "-m", "sleep")
	out, code = runCode(dir, bin, "diff", "HEAD~1..HEAD", "--fail-on", "warning")
	if code != 1 || !strings.Contains(out, "mm/note.c:6:2: warning: q_note() may sleep") || !strings.Contains(out, "mm/put.c:7: note: found in q_put()") {
		t.Errorf("range: exit %d\n%s", code, out)
	}
}

// A caller in another directory counts when the tree is searched for
// callers (the default), through git grep at the revision or in the
// index.
func TestDiffCallersElsewhere(t *testing.T) {
	bin := buildBinary(t)
	dir := sleepingHelperRepo(t, filepath.Join("drivers", "q"))
	out, code := runCode(dir, bin, "diff", "--cached", "--fail-on", "warning")
	if code != 1 || !strings.Contains(out, "mm/note.c:6:2: warning: q_note() may sleep") || !strings.Contains(out, "drivers/q/put.c:7: note: found in q_put()") {
		t.Errorf("diff --cached: exit %d\n%s", code, out)
	}
	out, code = runCode(dir, bin, "diff", "--cached", "--fail-on", "warning", "--callers=false")
	if code != 0 || strings.Contains(out, "q_put") {
		t.Errorf("diff --cached --callers=false: exit %d\n%s", code, out)
	}
	mustRun(t, dir, "git", "commit", "-q", "--no-verify", "-m", "sleep")
	out, code = runCode(dir, bin, "diff", "HEAD~1..HEAD", "--fail-on", "warning")
	if code != 1 || !strings.Contains(out, "drivers/q/put.c:7: note: found in q_put()") {
		t.Errorf("range: exit %d\n%s", code, out)
	}
}
