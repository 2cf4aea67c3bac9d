//go:build unix

package cmd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTokenHelperStoppedWithItsChildren: a token helper whose child never ends is stopped with that child
// when the run is interrupted (issue 23: only /bin/sh was killed, and its child held mailcheck).
func TestTokenHelperStoppedWithItsChildren(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	if err := syscall.Mkfifo(ready, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type answer struct {
		token string
		err   error
	}
	done := make(chan answer, 1)
	go func() {
		// The child holds stdout open and never ends; the shell waits for it.
		tok, err := runTokenCommandIn(ctx, &IOStreams{ErrOut: io.Discard}, "sleep 100000 & echo $! > "+ready+"; wait", time.Hour)
		done <- answer{tok, err}
	}()
	b, err := os.ReadFile(ready) // blocks until the helper has started its child
	if err != nil {
		t.Fatal(err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("child pid %q: %v", b, err)
	}
	cancel() // what SIGINT or SIGTERM does
	a := <-done
	if a.err == nil || !strings.Contains(a.err.Error(), "stopped with its child processes") {
		t.Errorf("token %q, error %v; want the interrupted helper's error", a.token, a.err)
	}
	// SIGKILL is delivered asynchronously: wait (bounded) for the child to be gone or a zombie.
	for i := 0; alive(child); i++ {
		if i == 6000 {
			t.Fatalf("the helper's child %d still runs after its group was killed", child)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTokenHelperLeavingAChildBehind: a helper that prints the token and exits, leaving a child that keeps
// its stdout open, still gives its token.
func TestTokenHelperLeavingAChildBehind(t *testing.T) {
	var errOut bytes.Buffer
	tok, err := runTokenCommandIn(context.Background(), &IOStreams{ErrOut: &errOut}, "echo tok-123; sleep 100000 & echo $! >&2", time.Hour)
	if err != nil || tok != "tok-123" {
		t.Errorf("token %q, error %v", tok, err)
	}
	child, err := strconv.Atoi(strings.TrimSpace(errOut.String()))
	if err != nil {
		t.Fatalf("child pid %q: %v", errOut.String(), err)
	}
	for i := 0; alive(child); i++ {
		if i == 6000 {
			t.Fatalf("the helper's leftover child %d still runs", child)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive says whether pid runs (a zombie has ended).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}
