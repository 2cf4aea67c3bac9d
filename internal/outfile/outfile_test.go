package outfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A symbolic link at the output path is refused; the link and the file it points to stay untouched.
func TestASymlinkIsNeitherFollowedNorReplaced(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "junit.xml")
	if err := os.Symlink(victim, out); err != nil {
		t.Fatal(err)
	}
	if f, err := Create(out, 0o644); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		if f != nil {
			f.Abort()
		}
		t.Fatalf("Create through a link: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	if fi, err := os.Lstat(out); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

// A regular file is replaced whole, with the mode given.
func TestARegularFileIsReplaced(t *testing.T) {
	out := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Create(out, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("<testsuites/>\n")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(out); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Fatalf("the output is %v, %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(out); string(b) != "<testsuites/>\n" {
		t.Errorf("output %q", b)
	}
}

// A character device (/dev/null) is written as it is: never replaced by a regular file nor chmod-ed.
// Before, renaming over it replaced the machine's /dev/null when run as root.
func TestADeviceIsWrittenNotReplaced(t *testing.T) {
	before, err := os.Lstat(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Create(os.DevNull, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("<testsuites/>\n")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	after, err := os.Lstat(os.DevNull)
	if err != nil || after.Mode() != before.Mode() || after.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s was %v, is %v (%v)", os.DevNull, before.Mode(), after.Mode(), err)
	}
}

// Abort leaves the old file as it was and no temporary file.
func TestAbortKeepsTheOldFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Create(out, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString("half")
	f.Abort()
	f.Abort()
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("got %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if _, err := Create(filepath.Join(dir, "missing", "out"), 0o644); err == nil {
		t.Error("a missing directory accepted")
	}
	if _, err := Create(dir, 0o644); err == nil {
		t.Error("a directory accepted as the output")
	}
}
