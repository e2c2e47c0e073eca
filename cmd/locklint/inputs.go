package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/locklint/locklint/diffscan"
)

// inputs are the command line's paths, sorted by how they are read.
type inputs struct {
	sources []string // .c and .h files, given or found in directories
	patches []string // patch and mail inputs: files, maildirs, "-"
	// skipped are files inside the directories given that are neither C
	// nor patches (Makefiles, Kconfig, symlinks, ...): counted, and
	// listed with -v, never silently dropped.
	skipped []string
}

// patchExts name files found in a directory that are read as patches
// or mail; files given by name are read as mail whatever they are called.
var patchExts = []string{".patch", ".diff", ".mbox", ".mbx", ".eml"}

func isPatchName(p string) bool {
	for _, e := range patchExts {
		if strings.HasSuffix(p, e) {
			return true
		}
	}
	return false
}

// classify expands the arguments: a file by its name (C or mail), a
// maildir as mail, any other directory walked for C files and patches
// (hidden directories skipped, files in sorted order).
func classify(args []string) (*inputs, error) {
	in := &inputs{}
	for _, a := range args {
		if a == "-" {
			in.patches = append(in.patches, a)
			continue
		}
		st, err := os.Stat(a)
		switch {
		case err != nil:
			return nil, err
		case st.IsDir() && diffscan.IsMaildir(a):
			in.patches = append(in.patches, a)
		case st.IsDir():
			if err := in.walk(a); err != nil {
				return nil, err
			}
		case diffscan.IsC(a):
			in.sources = append(in.sources, a)
		default:
			in.patches = append(in.patches, a)
		}
	}
	return in, nil
}

func (in *inputs) walk(root string) error {
	var sources, patches, skipped []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if path != root && diffscan.IsMaildir(path) {
				patches = append(patches, path)
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case !d.Type().IsRegular():
			skipped = append(skipped, path+" (not a regular file)")
		case diffscan.IsC(path):
			sources = append(sources, path)
		case isPatchName(path):
			patches = append(patches, path)
		default:
			skipped = append(skipped, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(sources)
	sort.Strings(patches)
	in.sources = append(in.sources, sources...)
	in.patches = append(in.patches, patches...)
	in.skipped = append(in.skipped, skipped...)
	return nil
}

// refuseOverwrite fails when the report would replace a file the run
// reads: an input, the baseline, a rules or configuration file.
func refuseOverwrite(output string, reads ...string) error {
	if output == "" || output == "-" {
		return nil
	}
	ost, err := os.Stat(output)
	if err != nil {
		return nil // a new file is nobody's input
	}
	for _, r := range reads {
		if r == "" || r == "-" {
			continue
		}
		if st, err := os.Stat(r); err == nil && os.SameFile(ost, st) {
			return usage(fmt.Errorf("--output %s is %s, which this run reads; refusing to overwrite it", output, r))
		}
	}
	return nil
}
