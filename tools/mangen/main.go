// Command mangen writes mailcheck's man pages, one per command, from the command tree (cobra/doc), so the
// pages say exactly what --help says. `make man` runs it into man/; a test keeps man/ current.
package main

import (
	"fmt"
	"os"

	"github.com/mailcheck/mailcheck/tools/mangen/manpages"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: mangen DIR")
		os.Exit(2)
	}
	if err := manpages.Write(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "mangen: %v\n", err)
		os.Exit(1)
	}
}
