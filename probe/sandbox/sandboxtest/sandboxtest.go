// Package sandboxtest starts sandbox worlds for tests: one call, stopped when the test ends.
package sandboxtest

import (
	"testing"

	"github.com/mailcheck/mailcheck/probe/sandbox"
)

// Start runs w until the test ends; a world that does not start fails the test.
func Start(t testing.TB, w sandbox.World) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}
