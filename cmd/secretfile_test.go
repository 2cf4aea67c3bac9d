//go:build unix

package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sparse makes a regular file of n bytes without writing them (the size limits of secret, CA and config
// files, which /dev/zero exercised before devices were refused).
func sparse(t *testing.T, n int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "big")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(n); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

func TestFileSizeLimits(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"probe", "--password-file", sparse(t, 1<<20), "example.com"}, "--password-file: its first line is longer than 64 KiB"},
		{[]string{"probe", "--oauth-token-file", sparse(t, 1<<20), "--user", "a@example.com", "example.com"}, "which is no access token"},
		{[]string{"probe", "--ca-file", sparse(t, 17<<20), "example.com"}, "--ca-file: it is larger than 16 MiB"},
		{[]string{"check", "--config", sparse(t, 2<<20)}, "it is larger than 1 MiB"},
	} {
		code, _, errOut := run(t, nil, tc.args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%s: exit %d, stderr %q, want %q", tc.args[1], code, errOut, tc.want)
		}
	}
}

// TestSecretFIFORefusedAtOnce: a named pipe nobody writes to (or a process substitution that never
// ends) as --password-file, --oauth-token-file or --ca-file used to hang past --max-time in open(2). It
// is refused at once, in one line that does not repeat the path.
func TestSecretFIFORefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "hunter2-fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"probe", "--max-time", "2s", "--password-file", fifo, "--user", "a@example.com", "imaps://127.0.0.1:1"},
		{"probe", "--max-time", "2s", "--oauth-token-file", fifo, "--user", "a@example.com", "imaps://127.0.0.1:1"},
		{"probe", "--max-time", "2s", "--ca-file", fifo, "imaps://127.0.0.1:1"},
		{"check", "--max-time", "2s", "--password-file", fifo, "--login", "--user", "a@example.com", "imaps://127.0.0.1:1"},
		{"send", "--max-time", "2s", "--password-file", fifo, "--from", "a@example.com", "--to", "b@example.com", "--server", "submission://127.0.0.1:1"},
	} {
		done := make(chan struct{})
		var code int
		var errOut string
		start := time.Now()
		go func() {
			defer close(done)
			code, _, errOut = run(t, nil, args...)
		}()
		select {
		case <-done:
		case <-time.After(time.Minute): // far beyond --max-time: the old code waited here for ever
			t.Fatalf("%s %s: still waiting after a minute", args[0], args[3])
		}
		if code != ExitUsage || !strings.Contains(errOut, "named pipe (FIFO), not a regular file") || strings.Contains(errOut, "hunter2") {
			t.Errorf("%s %s: exit %d after %v, stderr %q", args[0], args[3], code, time.Since(start), errOut)
		}
	}
}

// TestReadableSecretFileWarns: a password or token file that the group or everyone may read is used,
// with a one-line warning on stderr (as ssh warns of a private key, without refusing it).
func TestReadableSecretFileWarns(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o600, false}, {0o400, false}, {0o640, true}, {0o644, true}, {0o604, true}} {
		p := filepath.Join(dir, "pw"+tc.mode.String())
		if err := os.WriteFile(p, []byte("tok-secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, tc.mode); err != nil {
			t.Fatal(err)
		}
		for _, flags := range []credentialFlags{{PasswordFile: p}, {oauthFlags: oauthFlags{OAuthTokenFile: p}}} {
			var stderr strings.Builder
			ios := &IOStreams{ErrOut: &stderr, Getenv: func(string) string { return "" }}
			cr, err := flags.credentials(ios, "alice@example.com")
			if err != nil || cr == nil || (cr.Password != "tok-secret" && cr.Token != "tok-secret") {
				t.Fatalf("mode %v: %+v, %v", tc.mode, cr, err)
			}
			got := stderr.String()
			if tc.warn != strings.Contains(got, "is readable by others") || strings.Count(got, "\n") > 1 || strings.Contains(got, "tok-secret") {
				t.Errorf("mode %v: stderr %q", tc.mode, got)
			}
		}
	}
}

// Errors about a secret file name the flag, never the path: what was typed there may be the secret.
func TestSecretFileErrorsHideThePath(t *testing.T) {
	code, _, errOut := run(t, nil, "probe", "--password-file", "hunter2-pasted", "--user", "a@example.com", "example.com")
	if code != ExitUsage || strings.Contains(errOut, "hunter2") || !strings.Contains(errOut, "--password-file: no such file") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
