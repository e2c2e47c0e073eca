//go:build cgo

package parse

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// DefaultMaxInputBytes is the largest input file read unless the user
// says otherwise (--max-file-size). The largest file of Linux 6.1 (a
// generated register header) is about 13 MB; a file many times that is
// more likely /dev/zero or a mistake than code, and the front end needs
// about a hundred times a file's size while it parses it.
const DefaultMaxInputBytes = 64 << 20

// MaxInputBytes bounds every input file read: C sources, patches, mail,
// files of a --tree. It is a setting of the whole process (the command
// sets it once from its flags); 0 or less means DefaultMaxInputBytes.
var MaxInputBytes int64 = DefaultMaxInputBytes

func maxInput() int64 {
	if MaxInputBytes <= 0 {
		return DefaultMaxInputBytes
	}
	return MaxInputBytes
}

// ErrNotRegular is returned for a path that is a directory, a named pipe,
// a device or a socket where a file's contents were wanted.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned for an input over MaxInputBytes.
var ErrTooLarge = errors.New("file too large")

// ReadInput reads a regular file of at most MaxInputBytes. It never
// blocks on a named pipe (the file is opened non-blocking and checked
// before it is read) and never reads past the limit, so /dev/zero, a FIFO
// or a huge file is an error naming the path, not a hang.
func ReadInput(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, modeName(st.Mode()))}
	}
	if st.Size() > maxInput() {
		return nil, tooLarge(path, st.Size())
	}
	return readLimited(path, f)
}

// ReadInputFrom reads a stream (standard input) of at most MaxInputBytes.
func ReadInputFrom(name string, r io.Reader) ([]byte, error) {
	return readLimited(name, r)
}

func readLimited(name string, r io.Reader) ([]byte, error) {
	max := maxInput()
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, tooLarge(name, -1)
	}
	return data, nil
}

func tooLarge(name string, size int64) error {
	what := "more than"
	if size >= 0 {
		what = fmt.Sprintf("%d bytes, more than", size)
	}
	return &fs.PathError{Op: "read", Path: name,
		Err: fmt.Errorf("%w: %s the limit of %d bytes (--max-file-size)", ErrTooLarge, what, maxInput())}
}

func modeName(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
