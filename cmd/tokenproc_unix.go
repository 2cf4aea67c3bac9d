//go:build unix

package cmd

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts c in a process group of its own and makes cancelling it kill the whole group
// (the shell and every child it started), not just the shell.
func ownProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error {
		if c.Process == nil {
			return nil
		}
		return syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	}
}
