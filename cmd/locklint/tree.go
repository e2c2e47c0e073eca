package main

import (
	"os"
	"path/filepath"

	"github.com/locklint/locklint/diffscan"
)

// kernelTopFiles and kernelTopDirs recognise the top of a Linux tree, of
// any era from 2.2 to today, the way checkpatch.pl does: by what is there.
var (
	kernelTopFiles = []string{"Makefile", "MAINTAINERS"}
	kernelTopDirs  = []string{"arch", "include/linux", "init", "kernel", "mm", "fs"}
)

// isKernelTop tells whether dir is the top of a kernel source tree.
func isKernelTop(dir string) bool {
	for _, f := range kernelTopFiles {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return false
		}
	}
	for _, d := range kernelTopDirs {
		if st, err := os.Stat(filepath.Join(dir, d)); err != nil || !st.IsDir() {
			return false
		}
	}
	return true
}

// findKernelTree is the tree a series is checked against when none is
// given: the top of the git work tree holding the current directory, or
// the current directory, when it is the top of a kernel tree and holds
// at least one of the files the patches change. "" when there is none.
func findKernelTree(series *diffscan.Series) string {
	var cands []string
	if top := workTreeTop(); top != "" {
		cands = append(cands, top)
	}
	if wd, err := os.Getwd(); err == nil {
		cands = append(cands, wd)
	}
	for _, dir := range cands {
		if !isKernelTop(dir) {
			continue
		}
		t := diffscan.DirTree(dir)
		for _, p := range series.Patches {
			for _, f := range p.Files {
				for _, name := range []string{f.OldName, f.NewName} {
					if name == "" || name == "/dev/null" {
						continue
					}
					if _, err := t.ReadFile(name); err == nil {
						return rel(dir)
					}
				}
			}
		}
	}
	return ""
}

// rel names dir from the current directory when that is shorter.
func rel(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	if r, err := filepath.Rel(wd, dir); err == nil && len(r) < len(dir) {
		return r
	}
	return dir
}
