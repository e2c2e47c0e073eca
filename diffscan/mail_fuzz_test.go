package diffscan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadMessages: no input makes ReadMessages panic, and every line it
// reports lies within the input.
func FuzzReadMessages(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(mailDir, "*"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"\n\n",
		"From x@y Mon Jan  1 00:00:00 2024\n",
		"From \n",
		"Subject: x\n",
		"Content-Type: multipart/mixed; boundary=a\n\n--a\n--a--\n",
		"Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeAoKeQo=\n",
		"Content-Type: text/plain; format=flowed; delsp=yes\n\n> a \n>> b \nc\n",
		"<html><br><br><br>",
		"<pre>\n&lt;\n</pre>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, ds := ReadMessages("fuzz", data)
		s := string(data)
		n := strings.Count(s, "\n")
		if !strings.HasSuffix(s, "\n") && s != "" {
			n++
		}
		if n == 0 {
			n = 1
		}
		if len(ms) == 0 {
			t.Fatal("no message")
		}
		for i, m := range ms {
			if m.Line < 1 || m.Line > n || m.BodyLine < 1 || m.BodyLine > n {
				t.Errorf("message %d: Line %d BodyLine %d, input has %d lines", i, m.Line, m.BodyLine, n)
			}
			if m.Index != i || m.Source != "fuzz" || m.Subject != strings.TrimSpace(m.Subject) {
				t.Errorf("message %d: Index %d Source %q", i, m.Index, m.Source)
			}
		}
		for _, m := range ms {
			ParseSubject(m.Subject)
		}
		SortSeries(ms)
		for _, d := range ds {
			if d.Input != "fuzz" || d.Line < 0 || d.Line > n {
				t.Errorf("diag %v: input has %d lines", d, n)
			}
		}
	})
}
