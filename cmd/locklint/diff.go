package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/locklint/locklint/diffscan"
	"github.com/spf13/cobra"
)

type diffOpts struct {
	cached bool
	base   string
}

func newDiffCmd() *cobra.Command {
	var o diffOpts
	cmd := &cobra.Command{
		Use:   "diff [--cached] [--base REV] [REV..REV]",
		Short: "Check what changed in a git work tree: whole functions before and after",
		Long: `Check the C files a change touches, inside a git work tree.

  locklint diff               uncommitted changes (HEAD against the work tree)
  locklint diff --cached      staged changes (HEAD against the index): the pre-commit hook
  locklint diff --base REV    the work tree against where it forked from REV (CI on a pull request)
  locklint diff A..B          commit A against commit B

Only findings the change introduces fail the run; the others are shown
with their status (preexisting, fixed with --show-fixed).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			return runDiff(cmd.Context(), cmd, args, o, s)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.cached, "cached", false, "check the staged changes (HEAD against the index)")
	f.StringVar(&o.base, "base", "", "check the work tree against its merge base with `REV`")
	addCallersFlag(f)
	addOutputFlags(f)
	return cmd
}

// gitTree reads files from a git revision; rev ":" reads the index.
type gitTree struct {
	dir, rev string
}

func (g gitTree) ReadFile(p string) ([]byte, error) {
	if err := diffscan.CheckPath(p); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	spec := g.rev + ":" + p
	if g.rev == ":" {
		spec = ":" + p
	}
	out, err := git(g.dir, "cat-file", "blob", spec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec, fs.ErrNotExist)
	}
	return out, nil
}

// ListC names the .c files directly in dir at the revision (or in the
// index), for the directory context of a change (diffscan.Lister).
func (g gitTree) ListC(dir string) ([]string, error) {
	prefix := ""
	if dir != "" {
		if err := diffscan.CheckPath(dir); err != nil {
			return nil, err
		}
		prefix = dir + "/"
	}
	var out []byte
	var err error
	if g.rev == ":" {
		out, err = git(g.dir, "ls-files", "-z", "--", prefix+"*.c")
	} else {
		args := []string{"ls-tree", "-z", "--end-of-options", g.rev}
		if prefix != "" {
			args = append(args, "--", prefix)
		}
		out, err = git(g.dir, args...)
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, rec := range strings.Split(string(out), "\x00") {
		name := rec
		if g.rev != ":" {
			// `<mode> blob <hash>\t<path>`
			meta, p, ok := strings.Cut(rec, "\t")
			if !ok || !strings.Contains(meta, " blob ") {
				continue
			}
			name = p
		}
		if strings.HasSuffix(name, ".c") && path.Dir(name) == path.Clean(dir) {
			names = append(names, name)
		}
	}
	return names, nil
}

// Calling finds, with git grep at the revision (or in the index), the .c
// files that call each of names, for a change's callers context
// (diffscan.Grepper).
func (g gitTree) Calling(ctx context.Context, names []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, n := range names {
		args := []string{"grep", "-l", "-z", "-E", "--no-color"}
		if g.rev == ":" {
			args = append(args, "--cached")
		}
		args = append(args, "-e", `(^|[^A-Za-z0-9_])`+regexp.QuoteMeta(n)+`[[:blank:]]*\(`)
		if g.rev != ":" {
			if strings.HasPrefix(g.rev, "-") {
				return nil, fmt.Errorf("git grep: revision %q", g.rev) // (git grep takes no --end-of-options)
			}
			args = append(args, g.rev)
		}
		args = append(args, "--", "*.c", ":!tools/", ":!Documentation/", ":!scripts/", ":!usr/")
		c := exec.CommandContext(ctx, "git", args...)
		c.Dir = g.dir
		res, err := c.Output()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			continue // (no match)
		}
		if err != nil {
			return nil, fmt.Errorf("git grep: %w", err)
		}
		for _, rec := range strings.Split(string(res), "\x00") {
			if g.rev != ":" {
				rec = strings.TrimPrefix(rec, g.rev+":")
			}
			if strings.HasSuffix(rec, ".c") {
				out[n] = append(out[n], rec)
			}
		}
	}
	return out, nil
}

func git(dir string, args ...string) ([]byte, error) {
	c := exec.Command("git", args...)
	c.Dir = dir
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
	}
	return out, nil
}

func runDiff(ctx context.Context, cmd *cobra.Command, args []string, o diffOpts, s *settings) error {
	if ctx == nil {
		ctx = context.Background()
	}
	top, err := git(".", "rev-parse", "--show-toplevel")
	if err != nil {
		return usage(fmt.Errorf("not inside a git work tree (%v)", err))
	}
	root := strings.TrimSpace(string(top))
	var pre, post diffscan.Tree
	var diffArgs []string
	var what string
	switch {
	case len(args) == 1:
		a, b, ok := strings.Cut(args[0], "..")
		if !ok || a == "" || b == "" || strings.HasPrefix(b, ".") {
			return usage(fmt.Errorf("%q: give a range as REV..REV", args[0]))
		}
		if o.cached || o.base != "" {
			return usage(fmt.Errorf("a range does not go with --cached or --base"))
		}
		ra, err := verifyRev(root, a)
		if err != nil {
			return err
		}
		rb, err := verifyRev(root, b)
		if err != nil {
			return err
		}
		pre, post = gitTree{root, ra}, gitTree{root, rb}
		diffArgs, what = []string{"--end-of-options", ra, rb}, args[0]
	case o.cached && o.base != "":
		return usage(fmt.Errorf("--cached and --base do not go together"))
	case o.cached:
		head := "HEAD"
		if _, err := git(root, "rev-parse", "--verify", "-q", "HEAD"); err != nil {
			head = emptyTree // the first commit
		}
		pre, post = gitTree{root, head}, gitTree{root, ":"}
		diffArgs, what = []string{"--cached", "--end-of-options", head}, "staged changes"
	case o.base != "":
		base, err := verifyRev(root, o.base)
		if err != nil {
			return err
		}
		mb, err := git(root, "merge-base", "--end-of-options", base, "HEAD")
		if err != nil {
			return usage(err)
		}
		b := strings.TrimSpace(string(mb))
		pre, post = gitTree{root, b}, diffscan.DirTree(root)
		diffArgs, what = []string{"--end-of-options", b}, "changes since "+o.base
	default:
		pre, post = gitTree{root, "HEAD"}, diffscan.DirTree(root)
		diffArgs, what = []string{"--end-of-options", "HEAD"}, "uncommitted changes"
	}
	text, err := git(root, append(append([]string{"diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "-U3"}, diffArgs...), "--", "*.c", "*.h")...)
	if err != nil {
		return usage(err)
	}
	series := diffscan.FromMessages(what, []*diffscan.Message{{Source: what, Subject: what, Body: string(text), Line: 1, BodyLine: 1}}, nil, diffscan.Options{})
	an := &diffscan.Analyzer{Set: s.set, Tree: pre, Post: post, Jobs: s.jobs, Callers: s.callers}
	res := an.Run(ctx, series)
	r := &collected{root: root}
	r.addSeries(what, series, res)
	r.res.Inputs[0].Hunks = series.Hunks
	inRepo := r.baselinePath("")
	r.lines = func(file string, line int) string {
		// findings name files from the current directory; the trees
		// from the top
		data, err := post.ReadFile(inRepo(file))
		if err != nil {
			return ""
		}
		return diffscan.LineAt(data, line)
	}
	// paths in the report are relative to where locklint runs
	if wd, err := os.Getwd(); err == nil {
		for i := range r.res.Findings {
			f := &r.res.Findings[i]
			f.File = relTo(wd, root, f.File)
			for j := range f.Trace {
				f.Trace[j].File = relTo(wd, root, f.Trace[j].File)
			}
		}
	}
	return s.finish(cmd.OutOrStdout(), cmd.ErrOrStderr(), r)
}

// verifyRev resolves a revision the user gave to the commit it names.
// What reaches git after that is a hexadecimal object name, so a
// revision such as `--output=file` can never be read as an option (a CI
// job may take the branch name from a stranger's pull request).
func verifyRev(root, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, "\x00\n") {
		return "", usage(fmt.Errorf("%q is not a revision", rev))
	}
	out, err := git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", usage(fmt.Errorf("%q is not a commit in %s", rev, root))
	}
	return strings.TrimSpace(string(out)), nil
}

// emptyTree is git's empty tree, the "before" of a first commit.
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

func relTo(wd, root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	rel, err := filepath.Rel(wd, filepath.Join(root, p))
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}
