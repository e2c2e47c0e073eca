package report

import (
	"os"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair, skipping the test where there is
// none.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

func TestColorWantedTerminal(t *testing.T) {
	_, tty := openPTY(t)
	for _, c := range []struct {
		noColor, term string
		want          bool
	}{
		{"", "xterm-256color", true},
		{"1", "xterm-256color", false},
		{"0", "xterm", false}, // any non-empty value turns colour off
		{"", "dumb", false},
		{"", "", true},
	} {
		t.Setenv("NO_COLOR", c.noColor)
		t.Setenv("TERM", c.term)
		if got := ColorWanted(tty); got != c.want {
			t.Errorf("NO_COLOR=%q TERM=%q: ColorWanted(tty) = %v, want %v", c.noColor, c.term, got, c.want)
		}
	}
	// NO_COLOR unset altogether.
	t.Setenv("TERM", "xterm")
	os.Unsetenv("NO_COLOR")
	if !ColorWanted(tty) {
		t.Errorf("NO_COLOR unset: ColorWanted(tty) = false")
	}
}
