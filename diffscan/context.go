package diffscan

import (
	"context"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Context files. A patch checked against a tree is analyzed with the
// other C files of each directory it touches, as a whole-tree run
// analyzes a directory: the callers that hold a lock around a changed
// helper, the timer a function is registered as, the callee that sleeps
// two calls down are often in the next file. Their own findings are not
// the patch's and are not reported; they only inform the summaries.

// Lister is a Tree that can list the C files of a directory.
type Lister interface {
	// ListC names the .c files directly in dir (slash-separated,
	// relative; "" for the top), as paths a ReadFile takes.
	ListC(dir string) ([]string, error)
}

// Bounds on the context of one directory: a directory larger than this
// (drivers/gpu/drm/amd/display/dc, 150 files) is analyzed without it,
// as the cost would be the whole directory's for each patch.
const (
	maxContextFiles = 48
	maxContextBytes = 6 << 20
)

// ListC lists the regular .c files in dir, inside the tree.
func (d DirTree) ListC(dir string) ([]string, error) {
	real := string(d)
	if dir != "" {
		if err := CheckPath(dir); err != nil {
			return nil, err
		}
		root, err := realRoot(string(d))
		if err != nil {
			return nil, err
		}
		if real, err = beneath(root, dir); err != nil {
			return nil, err
		}
	}
	ents, err := os.ReadDir(real)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".c") {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// ListC lists what the base lists, with the files the series made there
// and without those it deleted.
func (m *memTree) ListC(dir string) ([]string, error) {
	l, ok := m.base.(Lister)
	if !ok {
		return nil, os.ErrNotExist
	}
	names, err := l.ListC(dir)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		seen[n] = true
		if d, changed := m.files[n]; !changed || d != nil {
			out = append(out, n)
		}
	}
	for n, d := range m.files {
		if d != nil && !seen[n] && path.Dir(n) == path.Clean(dir) && strings.HasSuffix(n, ".c") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// realRoot is the tree's directory, absolute, links resolved.
func realRoot(d string) (string, error) {
	root, err := filepath.Abs(d)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	return root, err
}

// contextImages are the other C files of the directories of ims, read
// from mem as the series has them before this patch, parsed (cached
// across the series' patches: a file the series has not written is not
// read again, one it has is parsed again if its text changed).
func (a *Analyzer) contextImages(ctx context.Context, ims []*image, mem *memTree) []*image {
	if mem == nil {
		return nil // (a tree that cannot list: ListC says so per directory)
	}
	inPatch := map[string]bool{}
	dirs := map[string]bool{}
	for _, im := range ims {
		if im.frag == nil {
			inPatch[im.path] = true
			dirs[path.Dir(im.path)] = true
		}
	}
	var out, todo []*image
	for _, dir := range slices.Sorted(maps.Keys(dirs)) {
		d := dir
		if d == "." {
			d = ""
		}
		names, err := mem.ListC(d)
		if err != nil || len(names) > maxContextFiles {
			continue
		}
		var dirIms []*image
		total := 0
		for _, n := range names {
			if inPatch[n] {
				continue
			}
			if c, ok := a.ctxCache[n]; ok {
				if _, changed := mem.files[n]; !changed {
					// (as the tree has it, parsed for an earlier patch)
					total += len(c.src)
					dirIms = append(dirIms, c)
					continue
				}
			}
			src, err := mem.ReadFile(n)
			if err != nil {
				continue
			}
			total += len(src)
			dirIms = append(dirIms, &image{path: n, src: src})
		}
		if total > maxContextBytes {
			continue
		}
		for _, im := range dirIms {
			if c, ok := a.ctxCache[im.path]; ok && (c == im || string(c.src) == string(im.src)) {
				out = append(out, c)
				continue
			}
			todo = append(todo, im)
			out = append(out, im)
		}
	}
	a.parse(ctx, todo)
	if a.ctxCache == nil {
		a.ctxCache = map[string]*image{}
	}
	var ok []*image
	for _, im := range out {
		if im.err != nil || im.file == nil {
			continue // (context only: a file that does not parse informs nothing)
		}
		a.ctxCache[im.path] = im
		ok = append(ok, im)
	}
	return ok
}
