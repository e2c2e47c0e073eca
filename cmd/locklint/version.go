package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time (-ldflags "-X main.version=..."); when it
// is not, the module version and VCS revision recorded in the build
// info say which locklint this is.
var version = ""

// versionString is "v1.2.3", "(devel) 0123abcdef012 2026-11-30T12:00:00Z
// modified" or "dev", with the Go version.
func versionString() string {
	v := version
	var rev, when, dirty string
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
				if len(rev) > 12 {
					rev = rev[:12]
				}
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = " modified"
				}
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if rev != "" {
		v += " " + rev
		if when != "" {
			v += " " + when
		}
		v += dirty
	}
	return fmt.Sprintf("locklint %s (%s)", v, runtime.Version())
}

// shortVersion is what reports name as the tool version (SARIF).
func shortVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
