package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// At the top of a kernel tree, check applies a series to it as if
// --tree had been given; --no-tree goes back to fragments; elsewhere
// there is no tree.
func TestKernelTreeFoundHere(t *testing.T) {
	top, _ := filepath.Abs("../../testdata/kerneltree")
	patch, _ := filepath.Abs("../../testdata/diffscan/leak.patch")
	const leak = "mm/counter.c:16:3: error: c->lock (counter.lock) is still held at this return"

	code, out, stderr := inDir(t, top, "check", "-v", patch)
	if code != exitFindings || !strings.Contains(out, leak) || !strings.Contains(out, "[lock-balance, introduced]") ||
		!strings.Contains(stderr, "applied to the kernel tree ., found here") {
		t.Errorf("at the tree top: exit %d\n%s%s", code, out, stderr)
	}
	// from a subdirectory the tree is not "here"; with --tree it is
	code, out, _ = inDir(t, filepath.Join(top, "mm"), "check", patch)
	if code != exitOK || strings.Contains(out, "error:") {
		t.Errorf("below the top: exit %d\n%s", code, out)
	}
	code, out, _ = inDir(t, filepath.Join(top, "mm"), "check", "--tree", "..", patch)
	if code != exitFindings || !strings.Contains(out, leak) {
		t.Errorf("--tree ..: exit %d\n%s", code, out)
	}
	// as a fragment the hunk proves less: the release it removes is a
	// warning, not the error the whole function shows
	code, out, stderr = inDir(t, top, "check", "--no-tree", "-v", "--format", "json", patch)
	if code != exitOK || strings.Contains(out, `"severity": "error"`) || !strings.Contains(out, "the patch removes its release") ||
		!strings.Contains(out, `"tree": null`) || !strings.Contains(stderr, "no tree") {
		t.Errorf("--no-tree: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = inDir(t, top, "check", "--format", "json", patch)
	if !strings.Contains(out, `"tree": "."`) {
		t.Errorf("the tree used is not in the JSON inputs: exit %d\n%s", code, out)
	}
	// a tree top that does not hold the patch's files is not used
	if code, out, _ := inDir(t, top, "check", "-v", "../diffscan/series/series.mbox"); strings.Contains(out, "applied to") {
		t.Errorf("a series for other files: exit %d\n%s", code, out)
	}
	if code, _, stderr := inDir(t, top, "check", "--tree", ".", "--no-tree", patch); code != exitUsage || !strings.Contains(stderr, "do not go together") {
		t.Errorf("--tree with --no-tree: exit %d %s", code, stderr)
	}
}
