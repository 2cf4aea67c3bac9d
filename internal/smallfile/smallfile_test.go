//go:build unix

package smallfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRead(t *testing.T) {
	if b, err := Read(write(t, "abc"), 3); err != nil || string(b) != "abc" {
		t.Errorf("Read = %q, %v", b, err)
	}
	if _, err := Read(write(t, "abcd"), 3); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a file over the limit: %v", err)
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing"), 3); err == nil {
		t.Error("a missing file read without error")
	}
}

func TestFirstLine(t *testing.T) {
	cases := []struct {
		content, want, err string
	}{
		{"secret\nrest", "secret", ""},
		{"secret\r\n", "secret", ""},
		{"secret", "secret", ""},
		{"\nsecret", "", "first line is empty"},
		{"", "", "first line is empty"},
		{strings.Repeat("x", 100), "", "longer than"},
	}
	for _, c := range cases {
		got, err := FirstLine(write(t, c.content), 64)
		if got != c.want || (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %q, %v; want %q, %q", c.content, got, err, c.want, c.err)
		}
	}
}

// /dev/zero never ends: the limit, not the file, ends the read.
func TestEndlessFile(t *testing.T) {
	if _, err := Read("/dev/zero", 1<<10); err == nil {
		t.Error("/dev/zero read whole")
	}
	if _, err := FirstLine("/dev/zero", 1<<10); err == nil {
		t.Error("/dev/zero has a first line")
	}
}

// Only regular files are read; anything else is refused at once, without blocking (a FIFO nobody
// writes to would block open(2) for ever) and without the path in the message.
func TestRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, kind := range map[string]string{fifo: "named pipe", dir: "directory", "/dev/null": "device", "/dev/zero": "device"} {
		_, err := Read(path, 10)
		var nr *NotRegularError
		if !errors.As(err, &nr) || !strings.Contains(err.Error(), kind) || strings.Contains(err.Error(), path) {
			t.Errorf("Read(%s) = %v", path, err)
		}
		if _, err := FirstLine(path, 10); !errors.As(err, &nr) {
			t.Errorf("FirstLine(%s) = %v", path, err)
		}
	}
}

func TestFirstLineByReportsMode(t *testing.T) {
	p := write(t, "secret\n")
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	line, info, err := FirstLineBy(p, 100, time.Now().Add(time.Minute))
	if err != nil || line != "secret" || !info.OthersCanRead() {
		t.Errorf("got %q, %+v, %v", line, info, err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, info, _ := FirstLineBy(p, 100, time.Time{}); info.OthersCanRead() {
		t.Errorf("mode 0600 reads as readable by others")
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing"), 3); err == nil || strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing file: %v", err)
	}
}
