// Package smallfile reads the small files mailcheck is given (passwords, tokens, configuration, CA
// certificates, message bodies) with a size limit and a deadline, so that a path to /dev/zero, a huge log
// file or a named pipe nobody writes to is a clear one-line error, not a process that grows until it is
// killed or waits for ever.
//
// Only regular files are read. A named pipe (FIFO, or the /dev/fd/N of a shell's process substitution),
// a device, a socket or a directory is refused before a byte is read: opening a FIFO blocks until a writer
// comes, and reading one (or a terminal, or /dev/zero) ends when the writer wants. The file is opened
// with O_NONBLOCK, so even the open cannot wait, and its type is checked on the open descriptor, so it
// cannot be swapped between a check and the open.
package smallfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// NotRegularError is a path that names something other than a regular file.
type NotRegularError struct {
	// Kind is "a named pipe (FIFO)", "a device", "a directory", "a socket".
	Kind string
}

func (e *NotRegularError) Error() string {
	return "it is " + e.Kind + ", not a regular file: write the content to a file and give its path"
}

// TooLargeError is a file larger than the limit it was read with.
type TooLargeError struct{ Max int64 }

func (e *TooLargeError) Error() string { return "it is larger than " + size(e.Max) }

// ErrTimeout is reading that did not end by the deadline (a file on a hung network mount).
var ErrTimeout = errors.New("reading it did not finish in time")

// File is what a read learned about the file besides its content.
type File struct {
	// Mode is the file's permission bits.
	Mode fs.FileMode
}

// OthersCanRead says whether the group or everyone may read the file: a secret file should be readable
// by its owner only (as ssh insists for private keys).
func (f File) OthersCanRead() bool { return f.Mode.Perm()&0o044 != 0 }

// kind names a file type that is not a regular file.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeDir != 0:
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "a device"
	}
	return "not a regular file"
}

// open opens path for reading without blocking and refuses anything but a regular file. Errors carry no
// path (a caller names the flag or key, and a secret file's "path" may be the secret pasted there).
func open(path string) (*os.File, File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, File{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, File{}, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, File{}, &NotRegularError{Kind: kind(fi.Mode())}
	}
	return f, File{Mode: fi.Mode()}, nil
}

// readAll reads at most max+1 bytes of path, giving up at deadline (zero: no deadline). A regular file
// cannot block for long on a local disk, but one on a network mount can: the read then runs on until the
// kernel returns, in a goroutine the caller no longer waits for.
func readAll(path string, max int64, deadline time.Time) ([]byte, File, error) {
	f, info, err := open(path)
	if err != nil {
		return nil, File{}, err
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, max+1))
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		done <- result{b, err}
	}()
	var expired <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expired = t.C
	}
	select {
	case r := <-done:
		return r.b, info, r.err
	case <-expired:
		return nil, File{}, ErrTimeout
	}
}

// Read reads the whole file, refusing one larger than max bytes or that is not a regular file.
func Read(path string, max int64) ([]byte, error) {
	b, _, err := ReadBy(path, max, time.Time{})
	return b, err
}

// ReadBy is Read under a deadline (zero: none); it also returns what it learned about the file.
func ReadBy(path string, max int64, deadline time.Time) ([]byte, File, error) {
	b, info, err := readAll(path, max, deadline)
	if err != nil {
		return nil, File{}, err
	}
	if int64(len(b)) > max {
		return nil, File{}, &TooLargeError{Max: max}
	}
	return b, info, nil
}

// FirstLine reads the first line of the file (without its line end), looking at no more than max bytes.
// An empty first line is an error: a secret file that holds nothing is a mistake, never an empty secret.
// Errors do not repeat the path: a caller names the flag or key it came from.
func FirstLine(path string, max int64) (string, error) {
	line, _, err := FirstLineBy(path, max, time.Time{})
	return line, err
}

// FirstLineBy is FirstLine under a deadline (zero: none); it also returns what it learned about the file.
func FirstLineBy(path string, max int64, deadline time.Time) (string, File, error) {
	b, info, err := readAll(path, max-1, deadline)
	if err != nil {
		return "", File{}, err
	}
	line, _, found := strings.Cut(string(b), "\n")
	if !found && int64(len(b)) == max {
		return "", File{}, fmt.Errorf("its first line is longer than %s", size(max))
	}
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", File{}, errors.New("the first line is empty")
	}
	return line, info, nil
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
