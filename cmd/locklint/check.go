package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
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
			return runCheck(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o, s)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.stats, "stats", false, "print files, functions, functions with parse errors, bytes and elapsed time")
	f.StringVar(&o.dumpIR, "dump-ir", "", "print the IR of the function `NAME` (debugging)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "with --stats, list each function whose body did not parse cleanly")
	f.String("tree", "", "apply patches to the source tree in `DIR` (in memory) and analyze whole functions before and after")
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
	var cArgs, patchArgs []string
	for _, a := range args {
		if a == "-" {
			patchArgs = append(patchArgs, a)
			continue
		}
		st, err := os.Stat(a)
		switch {
		case err != nil:
			return usage(err)
		case st.IsDir() && diffscan.IsMaildir(a), !st.IsDir() && !diffscan.IsC(a):
			patchArgs = append(patchArgs, a)
		default:
			cArgs = append(cArgs, a)
		}
	}
	r := &collected{}
	var st scanStats
	if len(cArgs) > 0 {
		if err := checkSources(ctx, stdout, stderr, cArgs, o, s, r, &st); err != nil {
			if o.stats {
				st.Elapsed = time.Since(start)
				printStats(stderr, st)
			}
			return err
		}
	}
	for _, p := range patchArgs {
		if err := checkPatches(ctx, stdin, stderr, p, s, r); err != nil {
			return err
		}
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
		return nil
	}
	return s.finish(stdout, r)
}

// checkPatches reads one patch or mail input and analyzes its series.
func checkPatches(ctx context.Context, stdin io.Reader, stderr io.Writer, path string, s *settings, r *collected) error {
	var series *diffscan.Series
	opt := diffscan.Options{NoQuoted: s.noQuoted}
	switch st, err := os.Stat(path); {
	case path == "-":
		data, err := io.ReadAll(stdin)
		if err != nil {
			return usage(inputError("standard input", err))
		}
		series = diffscan.Read("-", data, opt)
	case err == nil && st.IsDir():
		msgs, diags, err := diffscan.ReadMaildir(path)
		if err != nil {
			return usage(inputError(path, err))
		}
		series = diffscan.FromMessages(path, msgs, diags, opt)
	default:
		data, err := os.ReadFile(path)
		if err != nil {
			return usage(inputError(path, err))
		}
		series = diffscan.Read(path, data, opt)
	}
	r.series = true
	// hunks quoted again in replies are counted once
	in := report.Input{Path: path, Patches: len(series.Patches), Hunks: series.HunkCount() + series.Unrecovered, HunksUnrecovered: series.Unrecovered}
	if len(series.Patches) == 0 && series.Hunks == 0 {
		fmt.Fprintf(stderr, "locklint: %s: no patch in it (%d %s read, none with a diff); nothing to check\n",
			path, series.Messages, plural(series.Messages, "message"))
	}
	an := &diffscan.Analyzer{Set: s.set, Jobs: s.jobs}
	if s.tree != "" {
		if st, err := os.Stat(s.tree); err != nil || !st.IsDir() {
			return usage(fmt.Errorf("--tree %s: not a directory", s.tree))
		}
		an.Tree = diffscan.DirTree(s.tree)
	}
	res := an.Run(ctx, series)
	for _, d := range append(series.Diags, res.Diags...) {
		in.Diagnostics = append(in.Diagnostics, d.String())
	}
	r.res.Inputs = append(r.res.Inputs, in)
	r.res.Findings = append(r.res.Findings, res.Findings...)
	r.res.Stats.Files += res.Stats.Files
	r.res.Stats.Functions += res.Stats.Functions
	r.res.Stats.FunctionsWithParseErrors += res.Stats.FunctionsWithParseErrors
	r.sups = append(r.sups, res.Suppressions...)
	return nil
}

func plural(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// checkSources parses and checks C files and directories.
func checkSources(ctx context.Context, stdout, stderr io.Writer, args []string, o checkOpts, s *settings, r *collected, st *scanStats) error {
	files, err := parse.Sources(args)
	if err != nil {
		return usage(err)
	}
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
	parse.ParseFiles(ctx, files, s.jobs, func(res parse.Result) {
		prog.step()
		if res.Err != nil {
			prog.clear()
			fmt.Fprintf(stderr, "locklint: %v\n", res.Err)
			inputErrs++
			return
		}
		st.Files++
		st.Bytes += int64(res.File.Bytes)
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
			st.Functions++
			st.FunctionsWithErrors++
			if o.verbose {
				broken = append(broken, fmt.Sprintf("%s:%d:%d: (function lost in a parse error)", res.Path, p.Line, p.Col))
			}
		}
		for _, fn := range res.File.Functions {
			st.Functions++
			if len(fn.ParseErrors) > 0 {
				st.FunctionsWithErrors++
				if o.verbose {
					p := fn.ParseErrors[0]
					broken = append(broken, fmt.Sprintf("%s:%d:%d: %s", fn.File, p.Line, p.Col, fn.Name))
				}
			}
			if o.dumpIR != "" && fn.Name == o.dumpIR {
				parse.Dump(stdout, fn)
				dumped = true
			}
		}
	})
	prog.clear()
	// a unit whose files did not all parse is analyzed with the rest
	for u, fs := range units {
		if len(fs) > 0 {
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
			fmt.Fprintln(stderr, b)
		}
	}
	if inputErrs > 0 {
		return &exitError{code: exitUsage}
	}
	return nil
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
