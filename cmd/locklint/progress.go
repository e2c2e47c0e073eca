package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress draws "[1234/55405] 2%" on stderr for scans of many files,
// only when stderr is a terminal; at most ten times a second.
type progress struct {
	w     io.Writer
	total int
	done  int
	last  time.Time
	shown bool
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	if !ok || total < 50 || !term.IsTerminal(int(f.Fd())) || os.Getenv("TERM") == "dumb" {
		return &progress{}
	}
	return &progress{w: w, total: total}
}

func (p *progress) step() {
	if p.w == nil {
		return
	}
	p.done++
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || p.done == p.total {
		p.last = now
		width := 30
		n := width * p.done / p.total
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d files", strings.Repeat("=", n), strings.Repeat(" ", width-n), p.done, p.total)
		p.shown = true
	}
}

// clear erases the bar, before other output and at the end.
func (p *progress) clear() {
	if p.w != nil && p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
