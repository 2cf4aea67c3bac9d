// Command mailcheck finds out why e-mail settings don't work. See README.md.
package main

import (
	"os"

	"github.com/mailcheck/mailcheck/cmd"
)

func main() {
	os.Exit(cmd.Main())
}
