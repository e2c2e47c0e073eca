package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"time"

	"github.com/locklint/locklint/check"
	"github.com/locklint/locklint/parse"
	"github.com/locklint/locklint/rules"
	"github.com/spf13/cobra"
)

type checkOpts struct {
	stats   bool
	dumpIR  string
	jobs    int
	verbose bool
	rules   []string
}

func newCheckCmd() *cobra.Command {
	var o checkOpts
	cmd := &cobra.Command{
		Use:   "check PATH...",
		Short: "Check C files and directories (recursively)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.stats, "stats", false, "print files, functions, functions with parse errors, bytes and elapsed time")
	f.StringVar(&o.dumpIR, "dump-ir", "", "print the IR of the function `NAME` (debugging)")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "parallel workers (default: all cores)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "with --stats, list each function whose body did not parse cleanly")
	f.StringArrayVar(&o.rules, "rules", nil, "extra rules `FILE` (YAML, TOML or JSON) on top of the embedded defaults; repeatable")
	return cmd
}

// scanStats are the front end's numbers for one run.
type scanStats struct {
	Files, Functions, FunctionsWithErrors int
	Bytes                                 int64
	Elapsed                               time.Duration
}

func runCheck(ctx context.Context, stdout, stderr io.Writer, args []string, o checkOpts) error {
	if ctx == nil {
		ctx = context.Background()
	}
	start := time.Now()
	set, err := loadRules(o.rules)
	if err != nil {
		return err
	}
	files, err := parse.Sources(args)
	if err != nil {
		return &exitError{exitUsage, err}
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
	var findings []check.Finding
	errorsFound := false
	var st scanStats
	var inputErrs int
	var broken []string
	dumped := false
	parse.ParseFiles(ctx, files, o.jobs, func(r parse.Result) {
		if r.Err != nil {
			fmt.Fprintf(stderr, "locklint: %v\n", r.Err)
			inputErrs++
			return
		}
		st.Files++
		st.Bytes += int64(r.File.Bytes)
		if o.dumpIR == "" {
			u := unitOf(r.Path, perDir)
			units[u] = append(units[u], r.File)
			if remaining[u]--; remaining[u] == 0 {
				fs := check.Run(set, units[u])
				delete(units, u)
				for _, f := range fs {
					errorsFound = errorsFound || f.Severity == rules.Error
				}
				if perDir {
					printFindings(stdout, fs) // stream: nothing keeps them
				} else {
					findings = append(findings, fs...)
				}
			}
		}
		for _, p := range r.File.MissedBodies {
			st.Functions++
			st.FunctionsWithErrors++
			if o.verbose {
				broken = append(broken, fmt.Sprintf("%s:%d:%d: (function lost in a parse error)", r.Path, p.Line, p.Col))
			}
		}
		for _, fn := range r.File.Functions {
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
	// a unit whose files did not all parse is analyzed with the rest
	for u, fs := range units {
		if len(fs) > 0 {
			findings = append(findings, check.Run(set, fs)...)
		}
		delete(units, u)
	}
	check.Sort(findings)
	printFindings(stdout, findings)
	for _, f := range findings {
		errorsFound = errorsFound || f.Severity == rules.Error
	}
	st.Elapsed = time.Since(start)
	if o.dumpIR != "" && !dumped {
		fmt.Fprintf(stderr, "locklint: no function named %q in the input\n", o.dumpIR)
		return &exitError{code: exitUsage}
	}
	if o.stats {
		sort.Strings(broken)
		for _, b := range broken {
			fmt.Fprintln(stderr, b)
		}
		printStats(stderr, st)
	}
	if inputErrs > 0 {
		return &exitError{code: exitUsage}
	}
	if errorsFound {
		return &exitError{code: exitFindings}
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

// printFindings writes findings in the compiler shape, the trace indented
// under each.
func printFindings(w io.Writer, fs []check.Finding) {
	for _, f := range fs {
		fmt.Fprintln(w, f.String())
		for _, n := range f.Trace {
			if n.Line > 0 {
				fmt.Fprintf(w, "    %s:%d: note: %s\n", n.File, n.Line, n.Note)
			} else {
				fmt.Fprintf(w, "    %s: note: %s\n", n.File, n.Note)
			}
		}
	}
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
