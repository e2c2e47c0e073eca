package diffscan

import (
	"fmt"
	"strings"
	"testing"
)

const depthPatch = "diff --git a/mm/x.c b/mm/x.c\n--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,3 +1,5 @@ void f(struct s *p)\n" +
	" void f(struct s *p)\n {\n+\tspin_lock(&p->lock);\n+\tspin_lock(&p->lock);\n \tint a;\n"

// nestedMail is a message whose patch is in a text/plain part inside
// levels multipart parts (or message/rfc822 ones), one in another. With
// one boundary, every level uses the same one.
func nestedMail(levels int, rfc822, oneBoundary bool) string {
	// built from both ends at once: wrapping the string level by level
	// copies it levels times
	var open, closing []string
	for d := 1; d <= levels; d++ {
		if rfc822 {
			open = append(open, fmt.Sprintf("Content-Type: message/rfc822\n\nSubject: level %d\nMIME-Version: 1.0\n", d))
			continue
		}
		b := fmt.Sprintf("b%d", d)
		if oneBoundary {
			b = "B"
		}
		open = append(open, fmt.Sprintf("Content-Type: multipart/mixed; boundary=%q\n\n--%s\n", b, b))
		closing = append(closing, fmt.Sprintf("\n--%s--\n", b))
	}
	var w strings.Builder
	w.WriteString("From: a@example.org\nSubject: [PATCH] deep\nMIME-Version: 1.0\n")
	for _, o := range open {
		w.WriteString(o)
	}
	w.WriteString("Content-Type: text/plain\n\n" + depthPatch)
	for i := len(closing) - 1; i >= 0; i-- {
		w.WriteString(closing[i])
	}
	return w.String()
}

// Parts nested deeper than maxMIMEDepth are not read: an error says so,
// once per message, instead of "no patch in it".
func TestMIMEDepth(t *testing.T) {
	for _, c := range []struct {
		name      string
		mail      string
		found     bool
		depthErrs int
	}{
		{"multipart at the limit", nestedMail(maxMIMEDepth, false, false), true, 0},
		{"multipart over it", nestedMail(maxMIMEDepth+1, false, false), false, 1},
		{"far over it", nestedMail(200, false, false), false, 1},
		{"message/rfc822 at the limit", nestedMail(maxMIMEDepth, true, false), true, 0},
		{"message/rfc822 over it", nestedMail(maxMIMEDepth+1, true, false), false, 1},
		{"two messages over it", "From x@y Mon Jan  1 00:00:00 2024\n" + nestedMail(20, false, false) +
			"\nFrom x@y Mon Jan  1 00:00:00 2024\n" + nestedMail(20, true, false), false, 2},
	} {
		s := Read("deep.eml", []byte(c.mail), Options{})
		if got := s.HunkCount() == 1; got != c.found {
			t.Errorf("%s: patch found %v, want %v (diags %v)", c.name, got, c.found, s.Diags)
		}
		errs := 0
		for _, d := range s.Diags {
			if strings.Contains(d.Text, "nested more than 16 deep") {
				errs++
				if !d.Error || d.Line == 0 || d.Message == "" {
					t.Errorf("%s: %s", c.name, d)
				}
			} else if strings.Contains(d.Text, "no text part") {
				t.Errorf("%s: %s", c.name, d)
			}
		}
		if errs != c.depthErrs {
			t.Errorf("%s: %d depth errors, want %d: %v", c.name, errs, c.depthErrs, s.Diags)
		}
	}
}

// 5,000 levels with one boundary flatten into 5,000 parts with the same
// fault: it is said once, with the count, and the patch is found.
func TestMIMERepeatedDiagFolded(t *testing.T) {
	s := Read("deep.eml", []byte(nestedMail(5000, false, true)), Options{})
	if s.HunkCount() != 1 {
		t.Errorf("%d hunks", s.HunkCount())
	}
	if len(s.Diags) != 1 || !strings.Contains(s.Diags[0].Text, "never appears") || !strings.Contains(s.Diags[0].Text, "and 4998 more times") {
		t.Errorf("%d diags: %v", len(s.Diags), s.Diags[:min(len(s.Diags), 3)])
	}
}
