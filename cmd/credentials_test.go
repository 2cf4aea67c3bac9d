package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCredentialSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte("from-file\nignored second line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	prompted := ""
	cases := []struct {
		name     string
		flags    credentialFlags
		env      map[string]string
		tty      bool
		def      string
		wantUser string
		wantPW   string
		wantErr  string
	}{
		{"none asked for", credentialFlags{}, nil, false, "alice@example.com", "", "", ""},
		{"environment", credentialFlags{}, map[string]string{PasswordEnv: "from-env"}, false, "alice@example.com", "alice@example.com", "from-env", ""},
		{"file beats environment", credentialFlags{PasswordFile: file}, map[string]string{PasswordEnv: "from-env"}, false, "a@example.com", "a@example.com", "from-file", ""},
		{"--user overrides the address", credentialFlags{User: "bob"}, map[string]string{PasswordEnv: "x"}, false, "a@example.com", "bob", "x", ""},
		{"prompt on a terminal", credentialFlags{User: "bob", readPassword: func(p string) (string, error) { prompted = p; return "typed", nil }}, nil, true, "", "bob", "typed", ""},
		{"no terminal, no password", credentialFlags{User: "bob"}, nil, false, "", "", "", "needs a password"},
		{"password but no user", credentialFlags{}, map[string]string{PasswordEnv: "x"}, false, "", "", "", "no login name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ios := &IOStreams{InTTY: c.tty, Getenv: func(k string) string { return c.env[k] }}
			cr, err := c.flags.credentials(ios, c.def)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.wantPW == "" {
				if cr != nil {
					t.Fatalf("credentials %v, want none", cr)
				}
				return
			}
			if cr == nil || cr.User != c.wantUser || cr.Password != c.wantPW {
				t.Fatalf("got %v, want %s/%s", cr, c.wantUser, c.wantPW)
			}
			if strings.Contains(cr.String(), c.wantPW) {
				t.Errorf("Credentials.String shows the password: %s", cr)
			}
		})
	}
	if !strings.Contains(prompted, "bob") {
		t.Errorf("the prompt %q does not name the user", prompted)
	}
}

// TestDemoNeverPrintsThePassword runs every output mode of the demo, which logs in with the sandbox
// account, and looks for the password in all of it, the -v transcript included.
func TestDemoNeverPrintsThePassword(t *testing.T) {
	const pw = "correct horse battery staple"
	for _, args := range [][]string{{"demo", "-v"}, {"demo", "-v", "--json"}, {"demo", "--send", "-v"}, {"demo", "--send", "-v", "--json"}} {
		// The demo's own budgets: its working servers are never raced against a short step timeout.
		code, out, errOut := run(t, nil, append(args, answeringBudgets...)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if strings.Contains(out+errOut, pw) {
			t.Errorf("%v: the password appears in the output", args)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("%v: no login is visible in the transcript, so this test proves nothing", args)
		}
	}
}
