package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean makes text from the input safe to print on a terminal or in a CI
// log: every control character (C0 but tab, DEL, C1) and every Unicode
// bidirectional override is shown as an escape (`\x1b`, `\n`, `\u202e`),
// and bytes that are not UTF-8 as U+FFFD. Subjects, file names and
// source text come from strangers' mail; printed raw, an ESC clears the
// screen or retitles the window, a CR overwrites the line before it, and a
// newline starts a line of the attacker's choosing (a GitHub runner
// executes one that begins with `::`).
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case !unsafeRune(r, n):
			b.WriteString(s[i : i+n])
		case r == utf8.RuneError:
			b.WriteRune(utf8.RuneError)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r <= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default: // C1 controls and bidi overrides
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c >= 0x7f {
			return cleanSlow(s)
		}
	}
	return true
}

// cleanSlow is isClean for text with bytes past ASCII.
func cleanSlow(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) {
			return false
		}
		i += n
	}
	return true
}

// unsafeRune tells the runes Clean rewrites: a byte that is not UTF-8,
// C0 controls but tab, DEL, C1 controls and bidi overrides.
func unsafeRune(r rune, n int) bool {
	return r == utf8.RuneError && n == 1 || r < 0x20 && r != '\t' || r >= 0x7f && r < 0xa0 || isBidiControl(r)
}

// isBidiControl reports the characters that reorder how a line reads
// (the "Trojan Source" characters).
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// CleanLine is Clean for text that starts a line of output (a file name,
// a diagnostic that starts with one): a line that would begin with `::`,
// a GitHub Actions workflow command, gets a leading `./`, which names the
// same file.
func CleanLine(s string) string {
	s = Clean(s)
	if strings.HasPrefix(s, "::") {
		return "./" + s
	}
	return s
}
