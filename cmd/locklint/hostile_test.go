package main

import (
	"os"
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
