// Package outfile writes the files mailcheck is asked to write (check --junit, oauth --out) without
// ever writing through a symbolic link, and without replacing anything but a regular file.
//
// What is at the path decides how:
//   - nothing, or a regular file: the content goes to a new file with a random name in the same
//     directory (O_EXCL), and Commit renames it over the path. A reader sees the old file or the whole new
//     one; a failed run leaves the old one.
//   - a symbolic link: refused. A link planted in a shared directory (/tmp/junit.xml -> ~/.bashrc) must
//     not be followed, and renaming over it would, run as root, replace links such as /dev/stdout with a
//     regular file; the user names the file itself instead.
//   - a character device or a named pipe (/dev/null, a FIFO a CI step reads): opened for writing as it is,
//     never created, truncated, renamed over or chmod-ed. Renaming over /dev/null would replace the
//     machine's null device with a regular file.
//   - anything else (a directory, a block device, a socket): refused.
//
// A link planted between the check and the rename is replaced, not followed (rename(2) does not follow
// the last component), so the race gains an attacker nothing.
package outfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is an output being written; nothing appears at its path before Commit (for a device or a pipe,
// what is written goes straight to it).
type File struct {
	*os.File
	path string
	done bool
	// direct is a device or pipe written as it is: Commit only closes it.
	direct bool
}

// Create starts writing the file at path with permission bits perm (for a new or replaced regular file).
// It fails at once when the directory does not exist or cannot be written, or when the path is a link or
// a kind of file mailcheck does not write, so callers can check before long work.
func Create(path string, perm os.FileMode) (*File, error) {
	if path == "" {
		return nil, fmt.Errorf("no file name")
	}
	if fi, err := os.Lstat(path); err == nil {
		switch m := fi.Mode(); {
		case m&os.ModeSymlink != 0:
			return nil, fmt.Errorf("%s is a symbolic link: mailcheck does not write through one (name the file itself)", path)
		case m.IsDir():
			return nil, fmt.Errorf("%s is a directory", path)
		case m&os.ModeNamedPipe != 0 || m&os.ModeCharDevice != 0:
			f, err := os.OpenFile(path, os.O_WRONLY|syscallNoFollow, 0)
			if err != nil {
				return nil, err
			}
			return &File{File: f, path: path, direct: true}, nil
		case !m.IsRegular():
			return nil, fmt.Errorf("%s is not a regular file (%v): mailcheck writes only files, character devices and pipes", path, m.Type())
		}
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
	if f.direct {
		return f.File.Close()
	}
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
	if !f.direct {
		os.Remove(f.Name())
	}
}
