package probe

import (
	"context"
	"errors"
)

// ErrInterrupted is the cause a caller cancels a run's context with when the user interrupts it (Ctrl-C,
// SIGTERM): context.WithCancelCause(ctx) and cancel(ErrInterrupted). Steps it stops are reported as
// interrupted rather than as --max-time running out, and the report's status is "interrupted", with what
// was learned until then.
var ErrInterrupted = errors.New("interrupted")

// Interrupted says whether ctx ended because the user interrupted the run.
func Interrupted(ctx context.Context) bool {
	return errors.Is(context.Cause(ctx), ErrInterrupted)
}
