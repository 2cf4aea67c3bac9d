//go:build unix

package outfile

import "syscall"

// syscallNoFollow makes opening a device or pipe fail if a link was planted there since the check.
const syscallNoFollow = syscall.O_NOFOLLOW
