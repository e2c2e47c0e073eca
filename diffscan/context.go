package diffscan

import (
	"bytes"
	"context"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
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

// contextImages are the other C files of the directories of ims, and
// with a tree that can search itself the files elsewhere that call a
// function ims change (callerFiles), read from mem as the series has
// them before this patch, parsed (cached across the series' patches: a
// file the series has not written is not read again, one it has is
// parsed again if its text changed).
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
	taken := map[string]bool{}
	var out, todo []*image
	// load reads n, or finds it parsed for an earlier patch
	load := func(n string) *image {
		if c, ok := a.ctxCache[n]; ok {
			if _, changed := mem.files[n]; !changed {
				return c // (as the tree has it, parsed for an earlier patch)
			}
		}
		src, err := mem.ReadFile(n)
		if err != nil {
			return nil
		}
		return &image{path: n, src: src}
	}
	add := func(ims []*image) {
		for _, im := range ims {
			taken[im.path] = true
			if c, ok := a.ctxCache[im.path]; ok && (c == im || string(c.src) == string(im.src)) {
				out = append(out, c)
				continue
			}
			todo = append(todo, im)
			out = append(out, im)
		}
	}
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
			if im := load(n); im != nil {
				total += len(im.src)
				dirIms = append(dirIms, im)
			}
		}
		if total <= maxContextBytes {
			add(dirIms)
		}
	}
	if a.Callers {
		var callerIms []*image
		total := 0
		for _, n := range a.callerFiles(ctx, ims, mem) {
			if inPatch[n] || taken[n] {
				continue
			}
			if im := load(n); im != nil && total+len(im.src) <= maxContextBytes {
				total += len(im.src)
				callerIms = append(callerIms, im)
			}
		}
		add(callerIms)
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

// callerFiles are the files of the tree that call a function, not
// static, whose body the patch changes (changedExterns): each such
// function's callers, unless there are more than MaxCallerFiles of them.
// The tree is searched once a series for each name; the files the series
// wrote are read as it has them, those it deleted left out.
func (a *Analyzer) callerFiles(ctx context.Context, ims []*image, mem *memTree) []string {
	g, ok := mem.base.(Grepper)
	if !ok {
		return nil
	}
	names := changedExterns(ims)
	var missing []string
	for _, n := range names {
		if _, ok := a.callCache[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		found, err := g.Calling(ctx, missing)
		if err != nil {
			return nil // (context only: a search that fails leaves the directories)
		}
		if a.callCache == nil {
			a.callCache = map[string][]string{}
		}
		for _, n := range missing {
			a.callCache[n] = found[n]
		}
	}
	// the files the series wrote, as it has them (each read once)
	written := map[string][]string{}
	for f, src := range mem.files {
		if src != nil && strings.HasSuffix(f, ".c") {
			for _, n := range callsIn(src, names) {
				written[n] = append(written[n], f)
			}
		}
	}
	var out []string
	for _, n := range names {
		var files []string
		for _, f := range a.callCache[n] {
			if _, changed := mem.files[f]; !changed {
				files = append(files, f)
			}
		}
		files = append(files, written[n]...)
		if len(files) <= MaxCallerFiles {
			out = append(out, files...)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Callers. A function the patch changes that is not static may be called
// from anywhere: a driver in another directory that calls it under its
// spinlock is where a sleep the patch adds goes wrong. With a tree that
// can search itself (Grepper), the files that call a changed function
// are context too, within bounds: a function called from more than
// MaxCallerFiles files is too common to follow for each patch (its
// callers are a whole-tree run's business).

// Grepper is a Tree that can find the C files that call functions.
type Grepper interface {
	// Calling names, for each of names, the .c files that call it (the
	// name as a word, then blanks, then `(`), sorted, as paths a
	// ReadFile takes.
	Calling(ctx context.Context, names []string) (map[string][]string, error)
}

// MaxCallerFiles bounds the callers followed for one function.
const MaxCallerFiles = 24

// skipTop are the top-level directories of a kernel tree whose C is not
// the kernel's (user-space tools, build helpers, documentation).
var skipTop = map[string]bool{"Documentation": true, "tools": true, "scripts": true, "usr": true, "LICENSES": true}

// Calling searches the tree's .c files, on every core.
func (d DirTree) Calling(ctx context.Context, names []string) (map[string][]string, error) {
	root, err := realRoot(string(d))
	if err != nil {
		return nil, err
	}
	paths := make(chan string, 256)
	type hit struct {
		file  string
		names []string
	}
	hits := make(chan hit, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
				if err != nil {
					continue // (gone, or unreadable: it calls nothing we can read)
				}
				if ns := callsIn(src, names); len(ns) > 0 {
					hits <- hit{p, ns}
				}
			}
		}()
	}
	var walkErr error
	go func() {
		walkErr = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return nil // (a directory that cannot be read holds no callers we can see)
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			if e.IsDir() {
				if rel != "." && (strings.HasPrefix(e.Name(), ".") || skipTop[rel]) {
					return filepath.SkipDir
				}
				return nil
			}
			if e.Type().IsRegular() && strings.HasSuffix(rel, ".c") {
				paths <- rel
			}
			return nil
		})
		close(paths)
		wg.Wait()
		close(hits)
	}()
	out := map[string][]string{}
	for h := range hits {
		for _, n := range h.names {
			out[n] = append(out[n], h.file)
		}
	}
	for _, files := range out {
		sort.Strings(files)
	}
	return out, walkErr
}

// callsIn are the names that src calls.
func callsIn(src []byte, names []string) []string {
	var out []string
	for _, n := range names {
		for i := 0; ; {
			k := bytes.Index(src[i:], []byte(n))
			if k < 0 {
				break
			}
			at := i + k
			i = at + len(n)
			if at > 0 && identByte(src[at-1]) {
				continue
			}
			j := i
			for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
				j++
			}
			if j < len(src) && src[j] == '(' {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

func identByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// changedExterns are the functions, not static, whose bodies the patch's
// whole-file images change in a way their callers' locks may care about:
// a line added or removed there that takes or drops a lock, sleeps,
// allocates or waits (lockish). A patch that edits only other code
// (comments, arithmetic, a message) costs no search of the tree.
func changedExterns(ims []*image) []string {
	var out []string
	for _, im := range ims {
		if im.frag != nil || im.file == nil || im.f == nil {
			continue
		}
		changed := lockishLines(im.f)
		for _, fn := range im.file.Functions {
			if fn.Static || fn.Name == "" || slices.Contains(out, fn.Name) {
				continue
			}
			for _, n := range changed {
				if fn.Pos.Line <= n && n <= fn.End.Line {
					out = append(out, fn.Name)
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// lockish matches the code of a line that may change what a function
// does to its callers' locks or context.
var lockish = regexp.MustCompile(`(?i)lock|sleep|wait|sched|sync|mutex|sem|down|up_|alloc|gfp|_user|might_|flush|cancel|rcu|preempt|irq|_bh\b|free|firmware|complet|msg|xfer|transfer`)

// lockishLines are the lines, by new line number, where a file diff adds
// or removes lockish code (a removed line counts at the place it was).
func lockishLines(f *FileDiff) []int {
	var out []int
	for _, h := range f.Hunks {
		n := h.NewStart
		for _, l := range h.Lines {
			if l.Op != ' ' && lockish.MatchString(l.Text) {
				out = append(out, n)
			}
			if l.Op != '-' {
				n++
			}
		}
	}
	return out
}
