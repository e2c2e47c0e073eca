// Package diffscan reads patches and mail: it splits mbox, maildir, .eml
// and format-patch input into messages, decodes MIME, recovers the diffs
// in them (repairing what mail clients and list archives mangle), parses
// them with sourcegraph/go-diff, turns hunks into analyzable fragments or
// applies them to a tree, and maps findings back to patches and hunks.
package diffscan
