// Package smallfile reads the small files mailcheck is given (passwords, configuration, CA certificates,
// message bodies) with a size limit, so that a path to /dev/zero or a huge log file is a clear error, not
// a process that grows until it is killed.
package smallfile

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Read reads the whole file, refusing one larger than max bytes.
func Read(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s is larger than %s", path, size(max))
	}
	return b, nil
}

// FirstLine reads the first line of the file (without its line end), looking at no more than max bytes.
// An empty first line is an error: a secret file that holds nothing is a mistake, never an empty secret.
func FirstLine(path string, max int64) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max))
	if err != nil {
		return "", err
	}
	line, _, found := strings.Cut(string(b), "\n")
	if !found && int64(len(b)) == max {
		return "", fmt.Errorf("%s: its first line is longer than %s", path, size(max))
	}
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", fmt.Errorf("%s: the first line is empty", path)
	}
	return line, nil
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}
