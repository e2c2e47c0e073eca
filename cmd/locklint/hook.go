package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/locklint/locklint/report"
	"github.com/spf13/cobra"
)

// hookMarker identifies a pre-commit hook locklint wrote.
const hookMarker = "# installed by locklint install-hook"

func newInstallHookCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "install-hook",
		Short: "Install a git pre-commit hook that runs `locklint diff --cached`",
		Long: `Install a git pre-commit hook that runs ` + "`locklint diff --cached`" + `.

The hook runs the locklint found on PATH when the commit is made, or else
the binary that installed it (never a temporary one from go run). A hook
that locklint did not write is only replaced with --force, and then kept
as pre-commit.locklint-backup; a hook that is a symbolic link is replaced
as a link, its target is left alone.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return installHook(cmd.OutOrStdout(), force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace a pre-commit hook that locklint did not write (it is kept as pre-commit.locklint-backup)")
	return cmd
}

func installHook(stdout io.Writer, force bool) error {
	out, err := git(".", "rev-parse", "--git-path", "hooks")
	if err != nil {
		return usage(fmt.Errorf("not inside a git work tree (%v)", err))
	}
	dir := strings.TrimSpace(string(out))
	path := filepath.Join(dir, "pre-commit")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usage(err)
	}
	backup := ""
	if _, err := os.Lstat(path); err == nil {
		old, _ := os.ReadFile(path) // through a link: what the hook runs
		if !bytes.Contains(old, []byte(hookMarker)) {
			if !force {
				return usage(fmt.Errorf("%s exists and was not written by locklint; use --force to replace it (it is kept as a backup)", path))
			}
			backup = freeName(path + ".locklint-backup")
			// the link or file itself is moved aside, never its target
			if err := os.Rename(path, backup); err != nil {
				return usage(err)
			}
		}
	}
	installed := installedBinary()
	if err := writeAtomic(path, []byte(hookScript(installed)), 0o755); err != nil {
		return usage(err)
	}
	fmt.Fprintf(stdout, "installed %s: commits now run `locklint diff --cached` (skip once with git commit --no-verify)\n", report.Clean(path))
	if backup != "" {
		fmt.Fprintf(stdout, "the hook that was there is kept as %s\n", report.Clean(backup))
	}
	switch onPath, err := exec.LookPath("locklint"); {
	case err == nil:
		fmt.Fprintf(stdout, "the hook runs the locklint on PATH (now %s)\n", report.Clean(onPath))
	case installed != "":
		fmt.Fprintf(stdout, "locklint is not on PATH: the hook runs %s\n", report.Clean(installed))
	default:
		fmt.Fprintf(stdout, "warning: locklint is not on PATH and this one is a temporary build (go run): commits fail until `go install github.com/locklint/locklint/cmd/locklint@latest` puts it on PATH\n")
	}
	return nil
}

// installedBinary is this executable's path when it is a binary that
// stays (not one go run built in a cache that is cleaned), else "".
func installedBinary() string {
	self, err := os.Executable()
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(self); err == nil {
		self = r
	}
	if isTemporaryBuild(self) {
		return ""
	}
	return self
}

// isTemporaryBuild tells a binary of `go run` or `go test`: they live in
// go-build directories of the temporary directory, or in the build cache
// (~/.cache/go-build, or GOCACHE), which `go clean -cache` empties.
func isTemporaryBuild(p string) bool {
	if strings.Contains(filepath.ToSlash(p), "/go-build") {
		return true
	}
	for _, d := range []string{os.Getenv("GOCACHE"), os.Getenv("GOTMPDIR")} {
		if d == "" {
			continue
		}
		if rel, err := filepath.Rel(d, p); err == nil && !strings.HasPrefix(rel, "..") {
			return true
		}
	}
	return false
}

// freeName is p, or p.1, p.2 ... when p exists.
func freeName(p string) string {
	name := p
	for i := 1; ; i++ {
		if _, err := os.Lstat(name); os.IsNotExist(err) {
			return name
		}
		name = fmt.Sprintf("%s.%d", p, i)
	}
}

// writeAtomic writes a new file and renames it over path: a link at path
// is replaced, not written through.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".locklint-hook-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// hookScript runs locklint from PATH, else the installed binary, else
// fails the commit saying why.
func hookScript(installed string) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n" + hookMarker + "\n" +
		"# Checks the staged C changes against the kernel's locking rules; a finding\n" +
		"# the change introduces blocks the commit. Skip once: git commit --no-verify\n" +
		"if command -v locklint >/dev/null 2>&1; then\n" +
		"\texec locklint diff --cached\n" +
		"fi\n")
	if installed != "" {
		fmt.Fprintf(&b, "if [ -x %s ]; then\n\texec %s diff --cached\nfi\n", shellQuote(installed), shellQuote(installed))
	}
	b.WriteString("echo 'pre-commit: locklint is not on PATH; install it (go install github.com/locklint/locklint/cmd/locklint@latest) or skip the check once with git commit --no-verify' >&2\n" +
		"exit 1\n")
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
