package smallfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
