// Command locklint checks Linux kernel C code and patch series against the
// kernel's documented locking rules.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/locklint/locklint/report"
	"github.com/spf13/cobra"
)

// Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad usage or
// unreadable input.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	return runIO(args, os.Stdin, stdout, stderr)
}

func runIO(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "locklint:", report.Clean(ee.err.Error()))
		}
		return ee.code
	}
	// cobra's own errors: unknown flags, missing arguments
	fmt.Fprintln(stderr, "locklint:", report.Clean(err.Error()))
	return exitUsage
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "locklint",
		Short:         "Check kernel C code and patch series against documented locking rules",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(newCheckCmd(), newDiffCmd(), newInstallHookCmd(), newRulesCmd(), newExplainCmd())
	return root
}
