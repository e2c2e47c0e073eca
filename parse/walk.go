//go:build cgo

package parse

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// IsSource tells whether a path names a C source or header file.
func IsSource(path string) bool {
	return strings.HasSuffix(path, ".c") || strings.HasSuffix(path, ".h")
}

// Sources expands paths into the C files they name: files as given,
// directories recursively (sorted, skipping hidden directories). A path
// that does not exist is an error naming it.
func Sources(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && IsSource(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// Result is the outcome of parsing one file.
type Result struct {
	Path string
	File *File
	Err  error
	// Src is the file as read (nil when it could not be read); it is the
	// caller's to keep or drop.
	Src []byte
}

// ParseFiles parses files on `workers` goroutines (all cores when 0) and
// hands each result to emit in the order of files, one at a time. At most
// a few files per worker are held in memory at once, so a whole tree
// streams through in bounded memory.
func ParseFiles(ctx context.Context, files []string, workers int, emit func(Result)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	window := 4 * workers
	type job struct {
		i   int
		out chan Result
	}
	jobs := make(chan job)
	pending := make(chan chan Result, window)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- parsePath(ctx, files[j.i])
			}
		}()
	}
	go func() {
		for i := range files {
			out := make(chan Result, 1)
			pending <- out // blocks while the window is full
			jobs <- job{i, out}
		}
		close(jobs)
		close(pending)
	}()
	for out := range pending {
		emit(<-out)
	}
	wg.Wait()
}

func parsePath(ctx context.Context, path string) Result {
	if err := ctx.Err(); err != nil {
		return Result{Path: path, Err: err}
	}
	src, err := ReadInput(path)
	if err != nil {
		return Result{Path: path, Err: err}
	}
	f, err := parseSafely(ctx, path, src)
	return Result{Path: path, File: f, Err: err, Src: src}
}

// parseSafely turns a panic in the front end into an error naming the
// file, so one bad input never takes a whole scan down. The fuzz tests are
// what keep this path unused.
func parseSafely(ctx context.Context, path string, src []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, &Error{File: path, Pos: Pos{1, 1}, Msg: fmt.Sprintf("internal error in the C front end: %v", r)}
		}
	}()
	return ParseFile(ctx, path, src)
}
