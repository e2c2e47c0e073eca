package diffscan

import (
	"reflect"
	"testing"
)

func TestParseSubject(t *testing.T) {
	tests := []struct {
		in   string
		want Subject
	}{
		{"Re: [PATCH v5 3/14] mm: fix foo",
			Subject{Tags: []string{"PATCH"}, Version: 5, Index: 3, Total: 14, Reply: true, Title: "mm: fix foo", Patch: true}},
		{"[RFC PATCH v2 04/10] mm/rmap: walk under the lock",
			Subject{Tags: []string{"RFC", "PATCH"}, Version: 2, Index: 4, Total: 10, Title: "mm/rmap: walk under the lock", Patch: true}},
		{"[PATCH net-next v3 1/2] net: lock it",
			Subject{Tags: []string{"PATCH", "net-next"}, Version: 3, Index: 1, Total: 2, Title: "net: lock it", Patch: true}},
		{"[PATCH 0/3] mm: series",
			Subject{Tags: []string{"PATCH"}, Version: 1, Index: 0, Total: 3, Title: "mm: series", Patch: true}},
		{"[PATCHv2] ksm: copy",
			Subject{Tags: []string{"PATCH"}, Version: 2, Title: "ksm: copy", Patch: true}},
		{"[PATCH-v4 2/5] ksm: copy",
			Subject{Tags: []string{"PATCH"}, Version: 4, Index: 2, Total: 5, Title: "ksm: copy", Patch: true}},
		{"[PATCH V2] mm: upper-case version",
			Subject{Tags: []string{"PATCH"}, Version: 2, Title: "mm: upper-case version", Patch: true}},
		{"[PATCH -mm 2/2] mm: against -mm",
			Subject{Tags: []string{"PATCH", "-mm"}, Version: 1, Index: 2, Total: 2, Title: "mm: against -mm", Patch: true}},
		{"[PATCH] [2/3] mm: two groups",
			Subject{Tags: []string{"PATCH"}, Version: 1, Index: 2, Total: 3, Title: "mm: two groups", Patch: true}},
		{"Re: Re: AW: [PATCH] mm: deep reply",
			Subject{Tags: []string{"PATCH"}, Version: 1, Reply: true, Title: "mm: deep reply", Patch: true}},
		{"RE: sv: Re[2]: question",
			Subject{Version: 1, Reply: true, Title: "question"}},
		{"Fwd: [PATCH 1/1] mm: forwarded",
			Subject{Tags: []string{"PATCH"}, Version: 1, Index: 1, Total: 1, Title: "mm: forwarded", Patch: true}},
		{"[patch] mm: lower case",
			Subject{Tags: []string{"PATCH"}, Version: 1, Title: "mm: lower case", Patch: true}},
		{"kernel 3.0: BUG: soft lockup",
			Subject{Version: 1, Title: "kernel 3.0: BUG: soft lockup"}},
		{"fw: load the firmware",
			Subject{Version: 1, Title: "fw: load the firmware"}},
		{"[RFC] mm: idea",
			Subject{Tags: []string{"RFC"}, Version: 1, Title: "mm: idea"}},
		{"[RFCv3 PATCH 1/2] mm: rfc version",
			Subject{Tags: []string{"RFC", "PATCH"}, Version: 3, Index: 1, Total: 2, Title: "mm: rfc version", Patch: true}},
		{"[PATCH v2 resend 1/2] mm: resent",
			Subject{Tags: []string{"PATCH", "resend"}, Version: 2, Index: 1, Total: 2, Title: "mm: resent", Patch: true}},
		{"[PATCH v2 mm: unclosed",
			Subject{Version: 1, Title: "[PATCH v2 mm: unclosed"}},
		{"  [PATCH 1/2]  spaced  ",
			Subject{Tags: []string{"PATCH"}, Version: 1, Index: 1, Total: 2, Title: "spaced", Patch: true}},
		{"", Subject{Version: 1}},
	}
	for _, tc := range tests {
		got := ParseSubject(tc.in)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSubject(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
	if !ParseSubject("[PATCH v2 0/3] cover").Cover() {
		t.Error("0/3 is a cover letter")
	}
	if ParseSubject("[PATCH] single").Cover() {
		t.Error("a single patch is not a cover letter")
	}
}

func TestSortSeries(t *testing.T) {
	mk := func(subj, id, irt string) *Message {
		return &Message{Subject: subj, MessageID: id, InReplyTo: irt}
	}
	p2 := mk("[PATCH v2 2/3] two", "p2", "c")
	r1 := mk("Re: [PATCH v2 1/3] one", "r1", "p1")
	orphan := mk("Re: something else", "o", "elsewhere")
	c := mk("[PATCH v2 0/3] cover", "c", "")
	rr1 := mk("Re: [PATCH v2 1/3] one", "rr1", "r1")
	p1 := mk("[PATCH v2 1/3] one", "p1", "c")
	rc := mk("Re: [PATCH v2 0/3] cover", "rc", "c")
	p3 := mk("[PATCH v2 3/3] three", "p3", "c")
	r1b := mk("Re: [PATCH v2 1/3] one", "r1b", "p1")
	old := mk("[PATCH 1/1] v1 of it", "old", "")
	cy1 := mk("loop a", "cy1", "cy2")
	cy2 := mk("loop b", "cy2", "cy1")
	ms := []*Message{p2, r1, orphan, c, rr1, cy1, p1, rc, p3, r1b, old, cy2}
	SortSeries(ms)
	want := []*Message{old, c, rc, p1, r1, rr1, r1b, p2, p3, orphan, cy1, cy2}
	if !reflect.DeepEqual(ms, want) {
		var g, w []string
		for i := range ms {
			g = append(g, ms[i].MessageID)
			w = append(w, want[i].MessageID)
		}
		t.Errorf("SortSeries:\n got %v\nwant %v", g, w)
	}
	SortSeries(nil)
	one := []*Message{p1}
	SortSeries(one)
	if one[0] != p1 {
		t.Error("one message moved")
	}
}
