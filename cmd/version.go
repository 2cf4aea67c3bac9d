package cmd

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Build stamps that the Makefile passes with -ldflags -X when the toolchain cannot read them from the
// checkout itself (Go stamps VCS data only for a plain .git directory, not a worktree or a tarball).
// debug.ReadBuildInfo comes first.
var (
	buildRevision string
	buildTime     string
)

// BuildVersion is what `mailcheck --version` prints: the module version, the VCS revision and its date
// from runtime/debug.ReadBuildInfo, and the Go toolchain.
func BuildVersion() string {
	version, revision, when, modified := "(devel)", buildRevision, buildTime, false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	var parts []string
	if revision != "" {
		r := "revision " + revision
		if modified {
			r += " (modified)"
		}
		parts = append(parts, r)
	}
	if when != "" {
		parts = append(parts, "committed "+when)
	}
	parts = append(parts, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
	return "mailcheck " + version + "\n" + strings.Join(parts, ", ") + "\n"
}

// shortVersion is the version on one line, with the revision shortened: "(devel), revision 8a2c78b0c1d2".
func shortVersion() string {
	first, rest, _ := strings.Cut(BuildVersion(), "\n")
	v := strings.TrimPrefix(first, "mailcheck ")
	for _, part := range strings.Split(strings.TrimSpace(rest), ", ") {
		if rev, ok := strings.CutPrefix(part, "revision "); ok {
			if len(rev) > 12 && !strings.Contains(rev[:12], " ") {
				rev = rev[:12] + strings.TrimLeft(rev[12:], "0123456789abcdef")
			}
			v += ", revision " + rev
		}
	}
	return v
}

// NewCmdVersion builds `mailcheck version`, the same as `mailcheck --version`.
func NewCmdVersion(ios *IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print mailcheck's version, VCS revision and date, and Go version (as --version)",
		Long: `Print the module version, the VCS revision and commit date mailcheck was built from, and the Go
toolchain; the same as 'mailcheck --version'.

Exit codes: 0 printed; 2 bad usage.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return printVersion(ios.Out)
		},
	}
}

func printVersion(w io.Writer) error {
	_, err := fmt.Fprint(w, BuildVersion())
	return err
}
