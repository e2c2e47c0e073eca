package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// hookMarker identifies a pre-commit hook locklint wrote.
const hookMarker = "# installed by locklint install-hook"

func newInstallHookCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "install-hook",
		Short: "Install a git pre-commit hook that runs `locklint diff --cached`",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := git(".", "rev-parse", "--git-path", "hooks")
			if err != nil {
				return usage(fmt.Errorf("not inside a git work tree (%v)", err))
			}
			dir := strings.TrimSpace(string(out))
			path := filepath.Join(dir, "pre-commit")
			if old, err := os.ReadFile(path); err == nil && !bytes.Contains(old, []byte(hookMarker)) && !force {
				return usage(fmt.Errorf("%s exists and was not written by locklint; use --force to replace it", path))
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return usage(err)
			}
			if err := os.WriteFile(path, []byte(hookScript(locklintPath())), 0o755); err != nil {
				return usage(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "installed %s: commits now run `locklint diff --cached` (skip once with git commit --no-verify)\n", path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace a pre-commit hook that locklint did not write")
	return cmd
}

// locklintPath is how the hook calls locklint: by name when it is on
// PATH, else by this executable's path.
func locklintPath() string {
	if p, err := exec.LookPath("locklint"); err == nil {
		if self, err := os.Executable(); err != nil || sameFile(p, self) {
			return "locklint"
		}
	}
	if self, err := os.Executable(); err == nil {
		return self
	}
	return "locklint"
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

func hookScript(bin string) string {
	return "#!/bin/sh\n" + hookMarker + "\n" +
		"# Checks the staged C changes against the kernel's locking rules; a finding\n" +
		"# the change introduces blocks the commit. Skip once: git commit --no-verify\n" +
		"exec " + shellQuote(bin) + " diff --cached\n"
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
