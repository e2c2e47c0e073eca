package check

import "testing"

func TestFailureShape(t *testing.T) {
	for c, want := range map[string]string{
		"IS_ERR(kthread)": "kthread", "!(IS_ERR(kthread))": "kthread", "ret": "ret", "!ret": "ret",
		"unlikely(ret < 0)": "ret", "!(ret<0)": "ret", "p == NULL": "p", "!(p!=NULL)": "p",
		"rv == 1": "", "val == PHAN_INITIALIZE_COMPLETE": "", "a && b": "", "f(x)": "",
	} {
		got := ""
		if m := failureShape.FindStringSubmatch(removeSpaces(c)); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%q: %q, want %q", c, got, want)
		}
	}
}

func removeSpaces(s string) string {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			out = append(out, s[i])
		}
	}
	return string(out)
}
