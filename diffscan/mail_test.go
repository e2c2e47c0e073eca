package diffscan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/locklint/locklint/parse"
)

const mailDir = "../testdata/diffscan/mail"

func readTestFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(mailDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// readOK reads a test file and fails on any diagnostic.
func readOK(t *testing.T, name string) []*Message {
	t.Helper()
	ms, ds := ReadMessages(name, readTestFile(t, name))
	for _, d := range ds {
		t.Errorf("%s: unexpected diagnostic: %s", name, d)
	}
	return ms
}

func TestReadMessagesSeriesMbox(t *testing.T) {
	ms := readOK(t, "series.mbox")
	if len(ms) != 5 {
		t.Fatalf("got %d messages, want 5", len(ms))
	}
	wantSubj := []string{
		"[PATCH v2 0/3] mm: anon_vma locking fixes",
		"[PATCH v2 2/3] mm/mmap: adjust vm_start under the anon_vma lock",
		"Re: [PATCH v2 1/3] mm/rmap: take the anon_vma lock in rmap_walk_anon",
		"[PATCH v2 1/3] mm/rmap: take the anon_vma lock in rmap_walk_anon",
		"[PATCH v2 3/3] mm/migrate: keep the folio locked until remove_migration_ptes",
	}
	wantLine := []int{1, 26, 48, 69, 108}
	for i, m := range ms {
		if m.Subject != wantSubj[i] {
			t.Errorf("message %d: subject %q, want %q", i, m.Subject, wantSubj[i])
		}
		if m.Index != i || m.Source != "series.mbox" {
			t.Errorf("message %d: Index %d Source %q", i, m.Index, m.Source)
		}
		if m.Line != wantLine[i] {
			t.Errorf("message %d: Line %d, want %d", i, m.Line, wantLine[i])
		}
	}
	cover, p2, reply, p1, p3 := ms[0], ms[1], ms[2], ms[3], ms[4]
	if cover.BodyLine != 10 || !strings.HasPrefix(cover.Body, "Three fixes for rmap walkers") ||
		!strings.HasSuffix(cover.Body, "3 files changed, 6 insertions(+), 2 deletions(-)\n") {
		t.Errorf("cover: BodyLine %d body %q", cover.BodyLine, cover.Body)
	}
	if cover.MessageID != "20250304100000.0-ada@example.org" || cover.From != "Ada Lovelace <ada@example.org>" ||
		cover.Date != "Tue, 4 Mar 2025 10:00:00 +0000" {
		t.Errorf("cover headers: %+v", cover)
	}
	// quoted-printable: =3D, =20 and soft line breaks undone
	if want := string(readTestFile(t, "series-1of3.want")); p1.Body != want {
		t.Errorf("QP patch body:\n%s\nwant:\n%s", p1.Body, want)
	}
	if p1.InReplyTo != "20250304100000.0-ada@example.org" || p1.BodyLine != 81 {
		t.Errorf("1/3: InReplyTo %q BodyLine %d", p1.InReplyTo, p1.BodyLine)
	}
	// base64
	if want := string(readTestFile(t, "series-2of3.want")); p2.Body != want {
		t.Errorf("base64 patch body:\n%s\nwant:\n%s", p2.Body, want)
	}
	// multipart/mixed: the text/plain of the alternative (not its HTML),
	// a blank line, the text/x-patch attachment; the PNG skipped.
	want3 := "My mailer cannot send patches inline, so it is attached.\n\n" +
		string(readTestFile(t, "series-3of3-attachment.want"))
	if p3.Body != want3 {
		t.Errorf("multipart body:\n%q\nwant:\n%q", p3.Body, want3)
	}
	if reply.InReplyTo != "20250304100000.1-ada@example.org" || reply.MessageID != "reply-1@example.net" ||
		!strings.Contains(reply.Body, "> +\tanon_vma = rwc->anon_lock(folio, rwc);\n") {
		t.Errorf("reply: %+v", reply)
	}

	SortSeries(ms)
	var got []string
	for _, m := range ms {
		got = append(got, m.Subject[:strings.IndexByte(m.Subject, ']')+1])
	}
	want := []string{"[PATCH v2 0/3]", "[PATCH v2 1/3]", "Re: [PATCH v2 1/3]", "[PATCH v2 2/3]", "[PATCH v2 3/3]"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sorted: %v, want %v", got, want)
	}
}

func TestReadMessagesCRLF(t *testing.T) {
	ms := readOK(t, "crlf.eml")
	if len(ms) != 1 {
		t.Fatalf("got %d messages", len(ms))
	}
	m := ms[0]
	if m.Subject != "[PATCH] mm/memory: check PageUptodate before the KSM copy in do_swap_page" {
		t.Errorf("folded subject: %q", m.Subject)
	}
	if strings.Contains(m.Body, "\r") {
		t.Errorf("CR left in body %q", m.Body)
	}
	if m.Line != 1 || m.BodyLine != 12 || m.MessageID != "crlf-1@example.com" {
		t.Errorf("Line %d BodyLine %d MessageID %q", m.Line, m.BodyLine, m.MessageID)
	}
	if !strings.HasPrefix(m.Body, "A Windows mailer saved this one.\n\ndiff --git a/mm/memory.c b/mm/memory.c\n") ||
		!strings.HasSuffix(m.Body, "+\t\tgoto out_page;\n \tfolio = ksm_might_need_to_copy(folio, vma, vmf->address);\n") {
		t.Errorf("body %q", m.Body)
	}
}

func TestReadMessagesLatin1(t *testing.T) {
	m := readOK(t, "latin1.eml")[0]
	if m.Subject != "[PATCH] mm: réparer le verrou de l'anon_vma" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.From != "René Müller <rene@example.de>" {
		t.Errorf("from %q", m.From)
	}
	// iso-8859-1 converted; the no-break space (0xA0) became a space
	if !strings.HasPrefix(m.Body, "Grüße aus München. Le verrou doit être pris avant.\n") ||
		!strings.Contains(m.Body, "+/* café au lait */\n") {
		t.Errorf("body %q", m.Body)
	}
}

func TestReadMessagesFlowed(t *testing.T) {
	m := readOK(t, "flowed.eml")[0]
	want := "This is a long paragraph that the mail client wrapped at seventy-two columns; it should come back as one line after the unwrapping.\n" +
		"\n" +
		"> A quoted paragraph that was also wrapped.\n" +
		"\n" +
		" One space-stuffed line that starts with a space.\n" +
		"From here on, a stuffed From line.\n" +
		"-- \n" +
		"Dan\n"
	if m.Body != want {
		t.Errorf("body:\n%q\nwant\n%q", m.Body, want)
	}
	if m.InReplyTo != "rfc-2@example.org" {
		t.Errorf("InReplyTo %q", m.InReplyTo)
	}
	s := ParseSubject(m.Subject)
	if !s.Reply || !s.Patch || s.Index != 2 || s.Total != 2 {
		t.Errorf("subject %q parsed %+v", m.Subject, s)
	}

	delsp := "Subject: delsp\nContent-Type: text/plain; format=\"flowed\"; DelSp=\"yes\"\n\nspin_lock(&mm->page_table_lo \nck);\nnext\n"
	ms, ds := ReadMessages("delsp", []byte(delsp))
	if len(ds) != 0 || ms[0].Body != "spin_lock(&mm->page_table_lock);\nnext\n" {
		t.Errorf("DelSp=yes: %q %v", ms[0].Body, ds)
	}
}

func TestReadMessagesHTMLArchive(t *testing.T) {
	data := readTestFile(t, "archive.html")
	if !LooksLikeHTML(data) {
		t.Fatal("LooksLikeHTML is false for a saved page")
	}
	ms := readOK(t, "archive.html")
	if len(ms) != 1 {
		t.Fatalf("got %d messages", len(ms))
	}
	m := ms[0]
	if m.Subject != "Re: [PATCH] mm: lock the folio before pte_same" {
		t.Errorf("subject from <title>: %q", m.Subject)
	}
	if m.Line != 13 || m.BodyLine != 13 {
		t.Errorf("Line %d BodyLine %d, want the page's line 13", m.Line, m.BodyLine)
	}
	for _, want := range []string{
		"On Mon, 6 Jan 2025, Eve wrote:\n\n> diff --git a/mm/memory.c b/mm/memory.c\n",
		">  #include <linux/swap.h>\n>  \tif (folio && !folio_test_uptodate(folio))\n>  \t\tgoto out;\n",
		"> +\tif (!pte_same(ptep_get(vmf->pte), vmf->orig_pte))\n",
		"while the folio is locked: eve@example.org agreed.\n-- \nFrank\n",
	} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, m.Body)
		}
	}
	for _, bad := range []string{"not this", "white-space", "Date Prev", "&amp;", "&lt;", "\u00a0"} {
		if strings.Contains(m.Body, bad) {
			t.Errorf("body has %q:\n%s", bad, m.Body)
		}
	}
}

func TestReadMessagesHTMLHeaders(t *testing.T) {
	page := `<html><head><title>'Re: [PATCH] page title' - MARC</title></head><body>
<pre>[<a href="?l=linux-mm">prev in list</a>] [next in list]
List:       linux-mm
Subject:    Re: [PATCH 2/2] mm: from the pre
From:       Hugh &lt;hugh () example ! com&gt;
Date:       2010-07-10 0:00:00
Message-ID: &lt;alpine.1@example.com&gt;
[Download RAW message or body]

On Fri, 9 Jul 2010, Andrea wrote:
&gt; +	spin_lock(&amp;mm-&gt;page_table_lock);
</pre></body></html>
`
	ms, ds := ReadMessages("marc.html", []byte(page))
	if len(ms) != 1 || len(ds) != 0 {
		t.Fatalf("%d messages, diags %v", len(ms), ds)
	}
	m := ms[0]
	if m.Subject != "Re: [PATCH 2/2] mm: from the pre" || m.MessageID != "alpine.1@example.com" || m.From != "Hugh <hugh () example ! com>" {
		t.Errorf("headers from the <pre>: %+v", m)
	}
	if m.Line != 3 || m.BodyLine != 8 {
		t.Errorf("Line %d BodyLine %d", m.Line, m.BodyLine)
	}
	if !strings.HasSuffix(m.Body, "On Fri, 9 Jul 2010, Andrea wrote:\n> +\tspin_lock(&mm->page_table_lock);\n") {
		t.Errorf("body %q", m.Body)
	}
	if got := htmlTitle(page); got != "Re: [PATCH] page title" {
		t.Errorf("htmlTitle %q", got)
	}
	if got := htmlTitle("<title>LKML: Someone: Re: [PATCH v2] mm: x</title>"); got != "Re: [PATCH v2] mm: x" {
		t.Errorf("htmlTitle %q", got)
	}
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		// no <pre>: the whole document, <br> and blocks make lines
		{"<html><head><title>t</title></head><body><p>a<br>\nb</p><p>c &amp; d</p>x < y</body></html>",
			"a\nb\nc & d\nx < y"},
		{"<div>one</div><div>two<br/>three</div><script>alert('<b>')</script><style>p{}</style>four",
			"one\ntwo\nthree\nfour"},
		// <pre>: only its contents, the newline after <pre> dropped
		{"<p>nav</p><pre>\n&gt; line &quot;1&quot;\n<b>bold</b> &#65;&#x42;\n</pre><p>foot</p><PRE class=x>second</PRE>",
			"> line \"1\"\nbold AB\nsecond\n"},
		{"<!-- <pre>c</pre> --><pre>kept</pre>", "kept\n"},
		{"<pre>a &nbsp;b</pre>", "a \u00a0b\n"},
		{"<pre>unterminated <a href=\"x>y\">link</a> <", "unterminated link <"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := HTMLText(tc.in); got != tc.want {
			t.Errorf("HTMLText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestLooksLikeHTML(t *testing.T) {
	yes := []string{
		"<!DOCTYPE html><html>",
		"\ufeff  <html lang=en>",
		"<HTML>",
		"<body><pre>a &lt; b</pre>",
		"header junk\n<pre>\n&gt; quoted\n</pre>\n",
	}
	no := []string{
		"diff --git a/x.html b/x.html\n+<pre>a &lt; b</pre>\n",
		"plain text <pre> without entities </pre>",
		"a < b && c > d",
		"text with &lt; but no pre",
		"",
	}
	for _, s := range yes {
		if !LooksLikeHTML([]byte(s)) {
			t.Errorf("LooksLikeHTML(%q) = false", s)
		}
	}
	for _, s := range no {
		if LooksLikeHTML([]byte(s)) {
			t.Errorf("LooksLikeHTML(%q) = true", s)
		}
	}
}

func TestReadMessagesBareDiff(t *testing.T) {
	data := readTestFile(t, "bare.diff")
	ms := readOK(t, "bare.diff")
	if len(ms) != 1 {
		t.Fatalf("got %d messages", len(ms))
	}
	m := ms[0]
	if m.Body != string(data) || m.Subject != "" || m.From != "" || m.Line != 1 || m.BodyLine != 1 {
		t.Errorf("bare diff: %+v", m)
	}
}

func TestReadMessagesMboxrd(t *testing.T) {
	ms := readOK(t, "mboxrd.mbox")
	if len(ms) != 3 {
		t.Fatalf("got %d messages, want 3", len(ms))
	}
	want := "Hello,\n\nFrom the look of mm/mremap.c, move_ptes() takes the anon_vma lock.\n" +
		">From here this line stays quoted once.\n\n" +
		"From the caller's side nothing changes; this line is not a separator.\n\nAlice\n"
	if ms[0].Body != want {
		t.Errorf("mboxrd body:\n%q\nwant\n%q", ms[0].Body, want)
	}
	if ms[1].Body != "Yes.\n" || ms[1].InReplyTo != "q1@example.org" || ms[1].Line != 16 {
		t.Errorf("second: %+v", ms[1])
	}
	// An entry with headers only is still a message.
	if ms[2].Subject != "headers only, no body" || ms[2].Body != "" || ms[2].Line != 25 || ms[2].BodyLine != 29 {
		t.Errorf("third: %+v", ms[2])
	}
}

func TestReadMessagesFormatPatch(t *testing.T) {
	ms := readOK(t, "0001-mm-ksm-lock-the-page.patch")
	if len(ms) != 1 {
		t.Fatalf("got %d messages, want 1", len(ms))
	}
	m := ms[0]
	if m.Subject != "[PATCH net-next v3 1/2] mm/ksm: lock the page in ksm_might_need_to_copy" || m.BodyLine != 7 {
		t.Errorf("subject %q BodyLine %d", m.Subject, m.BodyLine)
	}
	if !strings.HasPrefix(m.Body, "From the caller's point of view nothing changes.\n") ||
		!strings.HasSuffix(m.Body, " \treturn new_folio;\n-- \n2.43.0\n") {
		t.Errorf("body %q", m.Body)
	}
}

func TestReadMessagesMalformed(t *testing.T) {
	hasDiag := func(ds []Diag, isErr bool, text string) bool {
		for _, d := range ds {
			if d.Error == isErr && strings.Contains(d.Text, text) {
				return true
			}
		}
		return false
	}
	t.Run("qp", func(t *testing.T) {
		in := "Subject: qp\nContent-Transfer-Encoding: quoted-printable\n\na =3D b;\nform\x0cfeed =3D x\nc =3D d=\n e\n"
		ms, ds := ReadMessages("qp.eml", []byte(in))
		if ms[0].Body != "a = b;\nform\x0cfeed =3D x\nc = d e\n" {
			t.Errorf("body %q", ms[0].Body)
		}
		if !hasDiag(ds, false, "malformed quoted-printable") || ds[0].Line != 5 || ds[0].Message != "qp" || ds[0].Input != "qp.eml" {
			t.Errorf("diags %v", ds)
		}
	})
	t.Run("base64", func(t *testing.T) {
		in := "From: x@example.org\nContent-Transfer-Encoding: base64\n\nnot*base64\n"
		ms, ds := ReadMessages("b.eml", []byte(in))
		if ms[0].Body != "not*base64\n" || !hasDiag(ds, true, "base64 body does not decode") ||
			ds[0].Message != "" || ds[0].Line != 4 {
			t.Errorf("body %q diags %v", ms[0].Body, ds)
		}
		// in an mbox, a message without a subject is "message N"
		in = "From a@b Mon Jan  1 00:00:00 2024\nSubject: s\n\nx\n\nFrom a@b Mon Jan  1 00:00:00 2024\n" + in
		ms, ds = ReadMessages("b.mbox", []byte(in))
		if len(ms) != 2 || len(ds) != 1 || ds[0].Message != "message 2" || !ds[0].Error || ds[0].Line != 10 {
			t.Errorf("%d messages, diags %v", len(ms), ds)
		}
		// white space and a list footer after the data
		in = "Subject: b\nContent-Transfer-Encoding: base64\n\nZGlmZiAt\n LWdpdAo= \n\n--\nlist footer\n"
		ms, ds = ReadMessages("b.eml", []byte(in))
		if ms[0].Body != "diff --git\n\n--\nlist footer\n" || !hasDiag(ds, false, "text after the base64 data") {
			t.Errorf("body %q diags %v", ms[0].Body, ds)
		}
	})
	t.Run("charset", func(t *testing.T) {
		in := "Subject: cs\nContent-Type: text/plain; charset=x-klingon\n\nqapla\xff\n"
		ms, ds := ReadMessages("c.eml", []byte(in))
		if ms[0].Body != "qapla\xff\n" || !hasDiag(ds, false, `unknown charset "x-klingon"`) {
			t.Errorf("body %q diags %v", ms[0].Body, ds)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		in := "Subject: mp\nContent-Type: multipart/mixed\n\ntext\n"
		ms, ds := ReadMessages("m.eml", []byte(in))
		if ms[0].Body != "text\n" || !hasDiag(ds, false, "without a boundary") {
			t.Errorf("body %q diags %v", ms[0].Body, ds)
		}
		in = "Subject: mp\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: image/png\n\nxx\n--zz--\n"
		ms, ds = ReadMessages("m.eml", []byte(in))
		if ms[0].Body != "" || !hasDiag(ds, false, "no text part in the message (image/png)") {
			t.Errorf("body %q diags %v", ms[0].Body, ds)
		}
		// HTML only: converted; an application/octet-stream named .diff kept;
		// no closing boundary.
		in = "Subject: mp\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/html\n\n<p>a &amp; b</p>\n" +
			"--b\nContent-Type: application/octet-stream; name=fix.diff\nContent-Transfer-Encoding: base64\n\nLS0tIGEveAo=\n"
		ms, ds = ReadMessages("m.eml", []byte(in))
		if ms[0].Body != "a & b\n\n--- a/x\n" || len(ds) != 0 {
			t.Errorf("body %q diags %v", ms[0].Body, ds)
		}
	})
	t.Run("rfc822", func(t *testing.T) {
		in := "Subject: fwd\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nsee below\n--b\nContent-Type: message/rfc822\n\n" +
			"Subject: inner\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nx =3D 1\n--b--\n"
		ms, ds := ReadMessages("f.eml", []byte(in))
		if ms[0].Body != "see below\n\nx = 1\n" || len(ds) != 0 {
			t.Errorf("body %q diags %v", ms[0].Body, ds)
		}
	})
	t.Run("encoded-word", func(t *testing.T) {
		in := "Subject: =?x-unknown-cs?q?abc?=\n\nbody\n"
		ms, ds := ReadMessages("e.eml", []byte(in))
		if ms[0].Subject != "=?x-unknown-cs?q?abc?=" || !hasDiag(ds, false, "subject header: cannot decode") || ds[0].Line != 1 {
			t.Errorf("subject %q diags %v", ms[0].Subject, ds)
		}
	})
	t.Run("empty", func(t *testing.T) {
		ms, ds := ReadMessages("empty", nil)
		if len(ms) != 1 || ms[0].Body != "" || ms[0].Line != 1 || len(ds) != 0 {
			t.Errorf("empty input: %v %v", ms, ds)
		}
	})
	t.Run("utf-16", func(t *testing.T) {
		in := []byte{0xff, 0xfe}
		for _, c := range "Subject: w\r\n\r\n+x\r\n" {
			in = append(in, byte(c), 0)
		}
		ms, ds := ReadMessages("w", in)
		if ms[0].Subject != "w" || ms[0].Body != "+x\n" || ms[0].BodyLine != 3 || len(ds) != 0 {
			t.Errorf("%+v %v", ms[0], ds)
		}
	})
	t.Run("mixed-crlf", func(t *testing.T) {
		in := "Subject: m\r\n\r\nline one\r\nline two\n"
		ms, _ := ReadMessages("x", []byte(in))
		if ms[0].Subject != "m" || ms[0].Body != "line one\r\nline two\n" {
			t.Errorf("subject %q body %q", ms[0].Subject, ms[0].Body)
		}
	})
}

func TestReadMaildir(t *testing.T) {
	dir := t.TempDir()
	if IsMaildir(dir) {
		t.Error("empty dir is a maildir")
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"new/1700000002.M2.host":      "Subject: [PATCH 2/2] two\n\nb\n",
		"cur/1700000001.M1.host:2,S":  "Subject: [PATCH 1/2] one\n\na\n",
		"cur/1700000003.M3.host:2,RS": "Subject: Re: [PATCH 1/2] one\n\nc\n",
		"tmp/1700000000.M0.host":      "Subject: not delivered\n\nx\n",
		"cur/.hidden":                 "Subject: hidden\n\nx\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !IsMaildir(dir) {
		t.Fatal("IsMaildir false")
	}
	ms, ds, err := ReadMaildir(dir)
	if err != nil || len(ds) != 0 {
		t.Fatal(err, ds)
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.Subject)
	}
	want := "[PATCH 1/2] one|[PATCH 2/2] two|Re: [PATCH 1/2] one"
	if strings.Join(got, "|") != want {
		t.Errorf("got %q, want %q", strings.Join(got, "|"), want)
	}
	if len(ms) == 3 && ms[1].Source != filepath.Join(dir, "new/1700000002.M2.host") {
		t.Errorf("source %q", ms[1].Source)
	}
	if _, _, err := ReadMaildir(filepath.Join(dir, "missing")); err == nil {
		t.Error("no error for a missing maildir")
	}
}

// The seed mails are headerless text (replies, a cover letter, an archive
// page saved as text): each is one message whose body is the text.
func TestReadMessagesSeeds(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/seeds/00*.txt")
	if len(files) == 0 {
		t.Skip("no seed mails here")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ms, ds := ReadMessages(f, data)
		if len(ms) != 1 || len(ds) != 0 {
			t.Errorf("%s: %d messages, diags %v", f, len(ms), ds)
			continue
		}
		want := strings.ReplaceAll(string(data), "\u00a0", " ")
		if !strings.HasSuffix(want, "\n") {
			want += "\n"
		}
		m := ms[0]
		if m.Body != want || m.Line != 1 || m.BodyLine != 1 || m.Subject != "" {
			t.Errorf("%s: body not intact (Line %d BodyLine %d Subject %q)", f, m.Line, m.BodyLine, m.Subject)
		}
		if strings.HasPrefix(filepath.Base(f), "004") {
			if !strings.Contains(m.Body, "> @@ -2671,10 +2671,23 @@ static int do_swap_page") {
				t.Errorf("%s: quoted hunk header lost", f)
			}
			if strings.Contains(m.Body, "\u00a0") {
				t.Errorf("%s: no-break space left", f)
			}
		}
	}
}

// A maildir's files are read like any input: one over the size limit is
// an error naming it, and the others are still read.
func TestReadMaildirLimits(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"cur", "new"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	small := "Subject: small\n\na\n"
	big := "Subject: big\n\n" + strings.Repeat("x", 200) + "\n"
	os.WriteFile(filepath.Join(dir, "new", "1.small"), []byte(small), 0o644)
	os.WriteFile(filepath.Join(dir, "new", "2.big"), []byte(big), 0o644)
	old := parse.MaxInputBytes
	parse.MaxInputBytes = 100
	defer func() { parse.MaxInputBytes = old }()
	ms, ds, err := ReadMaildir(dir)
	if err != nil || len(ms) != 1 || ms[0].Subject != "small" {
		t.Fatalf("messages %v, err %v", ms, err)
	}
	if len(ds) != 1 || !ds[0].Error || ds[0].Input != filepath.Join(dir, "new", "2.big") || !strings.Contains(ds[0].Text, "too large") {
		t.Errorf("diags %v", ds)
	}
}
