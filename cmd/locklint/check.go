package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/diffscan"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/report"
	"github.com/spf13/cobra"
)

type checkOpts struct {
	stats   bool
	dumpIR  string
	verbose bool
}

func newCheckCmd() *cobra.Command {
	var o checkOpts
	cmd := &cobra.Command{
		Use:   "check PATH...",
		Short: "Check C files, directories, patches and mail (mbox, .eml, maildir, format-patch, saved archive pages; - for stdin)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := loadSettings(cmd)
			if err != nil {
				return err
			}
			o.verbose = s.verbose
			return runCheck(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o, s)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.stats, "stats", false, "print files, functions, functions with parse errors, bytes and elapsed time")
	f.StringVar(&o.dumpIR, "dump-ir", "", "print the IR of the function `NAME` (debugging)")
	f.String("tree", "", "apply patches to the source tree in `DIR` (in memory) and analyze whole functions before and after (default: the kernel tree at the current directory, if any)")
	f.Bool("no-tree", false, "analyze the hunks as fragments, even at the top of a kernel tree")
	addCallersFlag(f)
	addOutputFlags(f)
	return cmd
}

// scanStats are the front end's numbers for one run.
type scanStats struct {
	Files, Functions, FunctionsWithErrors int
	Bytes                                 int64
	Elapsed                               time.Duration
}

func runCheck(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, args []string, o checkOpts, s *settings) error {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	in, err := classify(args)
	if err != nil {
		return usage(err)
	}
	if err := refuseOverwrite(s.output, append(append(append([]string{s.baseline, s.configFile}, s.rules...), in.sources...), in.patches...)...); err != nil {
		return err
	}
	if o.verbose {
		for _, p := range in.skipped {
			fmt.Fprintf(stderr, "locklint: skipped %s: neither C nor a patch\n", report.Clean(p))
		}
	}
	if n := len(in.skipped); n > 0 && len(in.sources)+len(in.patches) == 0 {
		fmt.Fprintf(stderr, "locklint: %d %s skipped, none of them C (.c, .h) or a patch (%s); nothing to check\n",
			n, plural(n, "file"), strings.Join(patchExts, ", "))
	}
	r := &collected{}
	var st scanStats
	if len(in.sources) > 0 {
		if err := checkSources(ctx, stdout, stderr, in.sources, o, s, r, &st); err != nil {
			return err
		}
	}
	for _, p := range in.patches {
		checkPatches(ctx, stdin, stderr, p, o, s, r, &st)
	}
	st.Elapsed = time.Since(start)
	r.res.Stats.Files += st.Files
	r.res.Stats.Functions += st.Functions
	r.res.Stats.FunctionsWithParseErrors += st.FunctionsWithErrors
	r.res.Stats.ElapsedMS = st.Elapsed.Milliseconds()
	if o.stats {
		printStats(stderr, st)
	}
	if o.dumpIR != "" {
		if r.inputErrs > 0 {
			return &exitError{code: exitUsage}
		}
		return nil
	}
	return s.finish(stdout, stderr, r)
}

// checkPatches reads one patch or mail input and analyzes its series.
// Standard input with no patch in it is read as a C file. An input that
// cannot be read is reported and counted; the others are still checked.
func checkPatches(ctx context.Context, stdin io.Reader, stderr io.Writer, path string, o checkOpts, s *settings, r *collected, st *scanStats) {
	var series *diffscan.Series
	opt := diffscan.Options{NoQuoted: s.noQuoted}
	fail := func(err error) {
		fmt.Fprintf(stderr, "locklint: %s\n", report.Clean(inputError(path, err).Error()))
		r.inputErrs++
	}
	switch fi, err := os.Stat(path); {
	case path == "-":
		data, err := parse.ReadInputFrom("standard input", stdin)
		if err != nil {
			fail(err)
			return
		}
		series = diffscan.Read("-", data, opt)
		if len(series.Patches) == 0 && series.Hunks == 0 && series.Unrecovered == 0 {
			checkStdinC(ctx, stderr, data, o, s, r, st)
			return
		}
	case err == nil && fi.IsDir():
		msgs, diags, err := diffscan.ReadMaildir(path)
		if err != nil {
			fail(err)
			return
		}
		series = diffscan.FromMessages(path, msgs, diags, opt)
	default:
		data, err := parse.ReadInput(path)
		if err != nil {
			fail(err)
			return
		}
		series = diffscan.Read(path, data, opt)
	}
	r.series = true
	if len(series.Patches) == 0 && series.Hunks == 0 {
		fmt.Fprintf(stderr, "locklint: %s: no patch in it (%d %s read, none with a diff); nothing to check\n",
			report.Clean(path), series.Messages, plural(series.Messages, "message"))
	}
	an := &diffscan.Analyzer{Set: s.set, Jobs: s.jobs, Callers: s.callers}
	tree := s.tree
	switch {
	case tree != "":
		if fi, err := os.Stat(tree); err != nil || !fi.IsDir() {
			fail(fmt.Errorf("--tree %s: not a directory", tree))
			return
		}
	case !s.noTree && len(series.Patches) > 0:
		// like checkpatch.pl: the kernel tree we stand in
		tree = findKernelTree(series)
	}
	if tree != "" {
		an.Tree = diffscan.DirTree(tree)
	}
	if s.verbose {
		switch {
		case tree == "":
			fmt.Fprintf(stderr, "locklint: %s: no tree (--tree DIR, or run at the top of a kernel tree): hunks are analyzed as fragments\n", report.Clean(path))
		case s.tree == "":
			fmt.Fprintf(stderr, "locklint: %s: applied to the kernel tree %s, found here (--no-tree: fragments only)\n", report.Clean(path), report.Clean(tree))
		default:
			fmt.Fprintf(stderr, "locklint: %s: applied to the tree %s\n", report.Clean(path), report.Clean(tree))
		}
	}
	res := an.Run(ctx, series)
	r.addSeries(path, series, res)
	in := &r.res.Inputs[len(r.res.Inputs)-1]
	in.Tree = tree
	in.HunksFragments = res.Fragments
	// a finding's line text (for baselines) comes from the tree, through
	// the same checks as the analysis: a patch may name any path
	root := tree
	if root == "" {
		root = "."
	}
	for _, f := range res.Findings {
		if r.seriesRoots == nil {
			r.seriesRoots = map[string]string{}
		}
		r.seriesRoots[f.File] = root
	}
}

// stdinName is how C read from standard input is named in reports.
const stdinName = "<stdin>"

// checkStdinC checks standard input that holds no patch as one C file.
func checkStdinC(ctx context.Context, stderr io.Writer, data []byte, o checkOpts, s *settings, r *collected, st *scanStats) {
	f, err := parse.ParseFile(ctx, stdinName, data)
	if err != nil {
		fmt.Fprintf(stderr, "locklint: %s\n", report.Clean(err.Error()))
		r.inputErrs++
		return
	}
	if len(f.Functions) == 0 && len(f.MissedBodies) == 0 {
		fmt.Fprintf(stderr, "locklint: standard input: no patch and no C function in it; nothing to check\n")
		return
	}
	st.add(f)
	r.sups = append(r.sups, report.ScanSuppressions(stdinName, data)...)
	for _, fd := range check.Run(s.set, []*parse.File{f}) {
		r.res.Findings = append(r.res.Findings, fromCheck(fd))
	}
	r.stdin = data // the baseline's line text: there is no file to read it from
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// checkSources parses and checks C files and directories.
func checkSources(ctx context.Context, stdout, stderr io.Writer, files []string, o checkOpts, s *settings, r *collected, st *scanStats) error {
	// Files are analyzed together, so calls between them follow
	// summaries. A big scan (a whole tree) is analyzed directory by
	// directory instead, each as soon as its last file is parsed, so that
	// memory stays bounded by the largest directory.
	perDir := len(files) > maxUnitFiles
	remaining := map[string]int{}
	for _, f := range files {
		remaining[unitOf(f, perDir)]++
	}
	units := map[string][]*parse.File{}
	var inputErrs int
	var broken []string
	dumped := false
	prog := newProgress(stderr, len(files))
	add := func(fs []check.Finding) {
		for _, f := range fs {
			r.res.Findings = append(r.res.Findings, fromCheck(f))
		}
	}
	parse.ParseFiles(ctx, files, min(s.jobs, len(files)), func(res parse.Result) {
		prog.step()
		if res.Err != nil {
			prog.clear()
			fmt.Fprintf(stderr, "locklint: %s\n", report.Clean(res.Err.Error()))
			inputErrs++
			return
		}
		st.add(res.File)
		r.sups = append(r.sups, report.ScanSuppressions(res.Path, res.Src)...)
		if o.dumpIR == "" {
			u := unitOf(res.Path, perDir)
			units[u] = append(units[u], res.File)
			if remaining[u]--; remaining[u] == 0 {
				add(check.Run(s.set, units[u]))
				delete(units, u)
			}
		}
		for _, p := range res.File.MissedBodies {
			if o.verbose {
				broken = append(broken, fmt.Sprintf("%s:%d:%d: (function lost in a parse error)", res.Path, p.Line, p.Col))
			}
		}
		for _, fn := range res.File.Functions {
			if len(fn.ParseErrors) > 0 {
				if o.verbose {
					p := fn.ParseErrors[0]
					why := ""
					if p.Msg != "" {
						why = ": " + p.Msg // a limit hit, not only a syntax error
					}
					broken = append(broken, fmt.Sprintf("%s:%d:%d: %s%s", fn.File, p.Line, p.Col, fn.Name, why))
				}
			}
			if o.dumpIR != "" && fn.Name == o.dumpIR {
				parse.Dump(stdout, fn)
				dumped = true
			}
		}
	})
	prog.clear()
	// a unit whose files did not all parse is analyzed with the rest, in
	// name order
	left := make([]string, 0, len(units))
	for u := range units {
		left = append(left, u)
	}
	sort.Strings(left)
	for _, u := range left {
		if fs := units[u]; len(fs) > 0 {
			add(check.Run(s.set, fs))
		}
		delete(units, u)
	}
	if o.dumpIR != "" && !dumped {
		return usage(fmt.Errorf("no function named %q in the input", o.dumpIR))
	}
	if o.stats {
		sort.Strings(broken)
		for _, b := range broken {
			fmt.Fprintln(stderr, report.CleanLine(b))
		}
	}
	r.inputErrs += inputErrs
	return nil
}

// add counts a parsed file: its bytes, its functions, and those whose
// body did not parse cleanly (bodies lost in a parse error count as both).
func (st *scanStats) add(f *parse.File) {
	st.Files++
	st.Bytes += int64(f.Bytes)
	st.Functions += len(f.Functions) + len(f.MissedBodies)
	st.FunctionsWithErrors += len(f.MissedBodies)
	for _, fn := range f.Functions {
		if len(fn.ParseErrors) > 0 {
			st.FunctionsWithErrors++
		}
	}
}

// maxUnitFiles is the most files analyzed as one unit; past it, each
// directory is its own unit.
const maxUnitFiles = 4000

func unitOf(path string, perDir bool) string {
	if !perDir {
		return ""
	}
	return filepath.Dir(path)
}

func printStats(w io.Writer, st scanStats) {
	share := 0.0
	if st.Functions > 0 {
		share = 100 * float64(st.FunctionsWithErrors) / float64(st.Functions)
	}
	mbps := 0.0
	if s := st.Elapsed.Seconds(); s > 0 {
		mbps = float64(st.Bytes) / 1e6 / s
	}
	fmt.Fprintf(w, "files: %d\nfunctions: %d\nfunctions with parse errors: %d (%.2f%%)\nbytes: %d\nelapsed: %s (%.1f MB/s)\n",
		st.Files, st.Functions, st.FunctionsWithErrors, share, st.Bytes, st.Elapsed.Round(time.Millisecond), mbps)
}
