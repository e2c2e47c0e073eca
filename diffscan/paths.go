package diffscan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/locklint/locklint/parse"
)

// ErrUnsafePath is wrapped by CheckPath's errors: a patch names a file
// the way no file of a tree can be named (an absolute path, a ".."
// component), which is how a hostile patch reads files outside the tree.
var ErrUnsafePath = errors.New("unsafe path")

// ErrOutsideTree is returned by DirTree for a path that a symbolic link
// inside the tree leads out of it.
var ErrOutsideTree = errors.New("a symbolic link leads out of the tree")

// maxPathBytes bounds a name from a patch; Linux's PATH_MAX. Longer
// names cannot be opened anyway, and stripping leading components off
// one is quadratic in its length.
const maxPathBytes = 4096

// maxLinks bounds the symbolic links followed for one path, as the
// kernel does (ELOOP after 40).
const maxLinks = 40

// CheckPath tells why name, a path from a patch, must not be looked up
// in a tree; nil when it may. What is refused is what git apply refuses:
// an empty or absolute name, a ".." component, a NUL byte, a name inside
// .git ("." components lead nowhere and are allowed: diff -u ./x.c). Backslashes count as separators here too, so that no
// platform reads "..\" as a way up. Other bytes (spaces, newlines, UTF-8)
// are allowed: git writes such names, quoted, and they are real files.
func CheckPath(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: %s", ErrUnsafePath, why)
	}
	switch {
	case name == "":
		return bad("empty name")
	case len(name) > maxPathBytes:
		return bad(fmt.Sprintf("longer than %d bytes", maxPathBytes))
	case strings.IndexByte(name, 0) >= 0:
		return bad("holds a NUL byte")
	case name[0] == '/' || name[0] == '\\' || filepath.IsAbs(name) || filepath.VolumeName(name) != "":
		return bad("absolute path")
	}
	for _, c := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		switch {
		case c == "..":
			return bad("a '..' component")
		case strings.EqualFold(c, ".git"):
			return bad("a path inside .git")
		}
	}
	return nil
}

// DirTree is a source tree on disk. It reads only what is inside it:
// names CheckPath refuses are errors, symbolic links are followed only
// while they stay inside the directory, and only regular files of at
// most parse.MaxInputBytes are read (never a FIFO, a device or
// /dev/zero through a link).
type DirTree string

// ReadFile reads path (slash-separated, relative) under the directory.
// Errors name path, not where it leads: whether a file exists outside
// the tree is not something a patch may learn.
func (d DirTree) ReadFile(path string) ([]byte, error) {
	fail := func(err error) ([]byte, error) {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if err := CheckPath(path); err != nil {
		return fail(err)
	}
	root, err := realRoot(string(d))
	if err != nil {
		return fail(fmt.Errorf("the tree: %w", err))
	}
	real, err := beneath(root, path)
	if err != nil {
		return fail(err)
	}
	data, err := parse.ReadInput(real)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fail(err)
	}
	return data, nil
}

// beneath resolves rel under root (a real, absolute path) one component
// at a time, following symbolic links itself. A link that leads out of
// root is an error before anything outside is looked at, so a link to a
// missing file outside and one to an existing file give the same
// answer. (filepath.EvalSymlinks would stat the outside target first.)
func beneath(root, rel string) (string, error) {
	parts := strings.Split(rel, "/")
	cur := root
	links := 0
	for len(parts) > 0 {
		c := parts[0]
		parts = parts[1:]
		switch c {
		case "", ".":
			continue
		case "..": // only from a link's target: CheckPath refused it in rel
			if cur == root {
				return "", ErrOutsideTree
			}
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, c)
		fi, err := os.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", errors.New("too many levels of symbolic links")
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			r, err := filepath.Rel(root, filepath.Clean(target))
			if err != nil || r == ".." || strings.HasPrefix(r, "../") {
				return "", ErrOutsideTree
			}
			cur, target = root, r
		}
		parts = append(strings.Split(filepath.ToSlash(target), "/"), parts...)
	}
	return cur, nil
}

// candidates are the paths to try for a file named names (best first):
// each name as given, then each with leading components stripped, as
// patch -p does for a patch made with other prefixes. Names that are
// "/dev/null", empty or refused by CheckPath are not tried.
func candidates(names ...string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	var ok []string
	for _, n := range names {
		if n != "/dev/null" && CheckPath(n) == nil {
			ok = append(ok, n)
			add(n)
		}
	}
	for _, n := range ok {
		for i := strings.IndexByte(n, '/'); i >= 0; i = strings.IndexByte(n, '/') {
			// "a//x.c" strips to "/x.c": a shorter form is checked too
			if n = n[i+1:]; CheckPath(n) == nil {
				add(n)
			}
		}
	}
	return out
}

// resolve finds a diff's file in t by the names of candidates(names...),
// in order, and returns the path it was found at. Only a path that is
// not there moves on to the next; any other error (a link out of the
// tree, not a regular file) stops at that path: it is the patch's file,
// and it cannot be read. The error says which paths were tried.
func resolve(t Tree, names ...string) (string, []byte, error) {
	tried := candidates(names...)
	for _, p := range tried {
		data, err := t.ReadFile(p)
		if err == nil {
			return p, data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return p, nil, fmt.Errorf("cannot read %s from the tree (%w)", quoteName(p), unwrapPath(err))
		}
	}
	return "", nil, notInTree(listTried(tried))
}

// notInTree is the error for a file found under none of its names; it is
// an fs.ErrNotExist without saying so twice.
type notInTree string

func (e notInTree) Error() string {
	if e == "" {
		return "not in the tree (no name to look for)"
	}
	return "not in the tree (looked for " + string(e) + ")"
}

func (e notInTree) Is(target error) bool { return target == fs.ErrNotExist }

// unwrapPath drops the path from an fs.PathError: the message names the
// path already, relative to the tree.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// listTried names the paths tried, the first few of them: a name with
// many components has as many stripped forms.
func listTried(ps []string) string {
	const show = 4
	q := make([]string, 0, show)
	for i, p := range ps {
		if i == show {
			break
		}
		q = append(q, quoteName(p))
	}
	s := strings.Join(q, ", ")
	if len(ps) > show {
		s += fmt.Sprintf(" and %d shorter forms", len(ps)-show)
	}
	return s
}

// quoteName shows a path as is when it is plain, else quoted with its
// control characters escaped, so that a name cannot break a diagnostic's
// line.
func quoteName(p string) string {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < ' ' || c == 0x7f || c == '"' || c == '\\' {
			return fmt.Sprintf("%q", p)
		}
	}
	return p
}
