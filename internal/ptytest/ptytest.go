// Package ptytest opens pseudo-terminals for tests of what mailcheck shows on a terminal (github.com/
// creack/pty: the portable way to get one).
package ptytest

import (
	"os"
	"testing"

	"github.com/creack/pty"
)

// Open returns a pty's controlling side (what the terminal shows is read from it) and its terminal side
// (what a program writes to, for which isatty is true), 160 columns wide, closed when the test ends.
func Open(t testing.TB) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("opening a pty: %v", err)
	}
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	return ptmx, tty
}
