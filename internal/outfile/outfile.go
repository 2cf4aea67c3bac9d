// Package outfile writes the files mailcheck is asked to write (check --junit, oauth --out) without
// ever writing through a symbolic link.
//
// The content goes to a new file with a random name in the same directory (O_EXCL: nothing there can be
// followed), and Commit renames it over the path. rename(2) replaces a symbolic link at the path rather
// than following it, so a link planted in a shared directory (/tmp/junit.xml -> ~/.bashrc) is replaced
// by mailcheck's file and its target stays untouched. This was chosen over opening the path with
// O_NOFOLLOW because it also never leaves a half-written file (a reader sees the old file or the whole
// new one; a failed run leaves the old one) and because O_NOFOLLOW would make a link the user placed on
// purpose an error. What it does not keep: the old file's owner, mode and hard links (the new file has
// the mode given to Create).
package outfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is an output being written; nothing appears at its path before Commit.
type File struct {
	*os.File
	path string
	done bool
}

// Create starts writing the file at path with permission bits perm. It fails at once when the
// directory does not exist or cannot be written, so callers can create it before long work.
func Create(path string, perm os.FileMode) (*File, error) {
	if path == "" {
		return nil, fmt.Errorf("no file name")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// Commit closes the file and renames it over the path, replacing whatever is there (a symbolic link
// itself, never its target).
func (f *File) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	if err := f.File.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// Abort removes what was written; the path keeps what it had. It is safe after Commit (it does
// nothing then), so callers can defer it.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.Name())
}
