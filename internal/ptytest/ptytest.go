// Package ptytest opens pseudo-terminals for tests of what mailcheck shows on a terminal (github.com/
// creack/pty: the portable way to get one).
package ptytest

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

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

// Terminal is what a pty's terminal side shows, read as it comes: a program writes to TTY, the test waits
// for what it expects to appear (WaitFor, a signal, never a sleep) and takes the rest once TTY is closed.
type Terminal struct {
	// TTY is the terminal side, for the program under test.
	TTY    *os.File
	chunks chan []byte
	seen   bytes.Buffer
}

// NewTerminal opens a pty (as Open does) and starts reading what it shows.
func NewTerminal(t testing.TB) *Terminal {
	t.Helper()
	ptmx, tty := Open(t)
	term := &Terminal{TTY: tty, chunks: make(chan []byte)}
	go func() {
		defer close(term.chunks)
		for {
			b := make([]byte, 4096)
			n, err := ptmx.Read(b)
			if n > 0 {
				term.chunks <- b[:n]
			}
			if err != nil {
				return // EIO once the terminal side is closed
			}
		}
	}()
	return term
}

// WaitFor reads until the terminal has shown every one of want and returns everything shown so far. A
// guard of five minutes fails a broken test instead of hanging it; it never paces one.
func (term *Terminal) WaitFor(t testing.TB, want ...string) string {
	t.Helper()
	guard := time.NewTimer(5 * time.Minute)
	defer guard.Stop()
	for !containsAll(term.seen.String(), want) {
		select {
		case b, ok := <-term.chunks:
			if !ok {
				t.Fatalf("the terminal closed before showing %q; it showed %q", want, term.seen.String())
			}
			term.seen.Write(b)
		case <-guard.C:
			t.Fatalf("the terminal did not show %q; it showed %q", want, term.seen.String())
		}
	}
	return term.seen.String()
}

// Rest closes the terminal side and returns all the terminal showed.
func (term *Terminal) Rest() string {
	term.TTY.Close()
	for b := range term.chunks {
		term.seen.Write(b)
	}
	return term.seen.String()
}

func containsAll(s string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
