// Package diffscan reads patches and mail: it splits mbox, maildir, .eml
// and format-patch input into messages, decodes MIME, recovers the diffs
// in them (repairing what mail clients and list archives mangle), parses
// them with sourcegraph/go-diff, turns hunks into analyzable fragments or
// applies them to a tree, and maps findings back to patches and hunks.
//
// Its input is untrusted: mail from strangers, branches of pull requests.
// Names in a patch are never trusted as paths: one that git apply would
// refuse (absolute, with a ".." component, a NUL, inside .git) is not
// looked up in any Tree, and DirTree follows symbolic links only while
// they stay in the tree and reads only regular files up to
// parse.MaxInputBytes, so no patch can make it read, or learn whether
// there is, a file outside the tree. Such a file's hunks are still
// analyzed, as fragments, with a warning. Nothing is dropped quietly: a
// hunk that is not analyzed at all is an error diagnostic and counts in
// Result.Unchecked; MIME nesting, line length and findings per line are
// bounded or linear.
package diffscan
