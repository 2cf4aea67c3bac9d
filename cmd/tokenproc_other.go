//go:build !unix

package cmd

import "os/exec"

// ownProcessGroup: outside Unix there are no process groups to kill; cancelling kills the shell and
// WaitDelay stops waiting for children that keep its output open.
func ownProcessGroup(c *exec.Cmd) {}
