//go:build !cgo

// The C front end is tree-sitter, which is written in C: without cgo
// there is no parser, so the build stops here with one line that says
// what to do instead of a page of undefined names from tree-sitter.
package parse

var _ = locklint_needs_cgo__install_gcc_or_clang_and_build_with_CGO_ENABLED_1
