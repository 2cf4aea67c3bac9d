package cmd

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeUsage(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "staff")
	if err := os.WriteFile(users, []byte("alice:$2a$04$0123456789012345678901uG8nJ5pU8mXbM6vS0CwWcQkVf4P5oKy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "r.db")
	for args, want := range map[string]string{
		"serve":            "--db FILE and --users FILE are required",
		"serve --db " + db: "required",
		"serve --db " + db + " --users /nonexist":                                                       "serve user add",
		"serve --db " + db + " --users " + users + " --retention 3x":                                    "--retention",
		"serve --db " + db + " --users " + users + " --max-per-hour 0":                                  "--max-per-hour",
		"serve --db " + db + " --users " + users + " --allow-private intranet":                          "--allow-private",
		"serve --db " + db + " --users " + users + " --proxy-user-header X-Remote-User":                 "go together",
		"serve --db postgres://mc:hunter2@127.0.0.1/mailcheck --users " + users:                         "PGPASSWORD",
		"serve --db postgres://mc@127.0.0.1/mailcheck?password=hunter2 --users " + users:                "PGPASSWORD",
		"serve --db " + db + " --users " + users + " --trusted-proxy 10.0.0.1":                          "go together",
		"serve --db " + db + " --users " + users + " --proxy-user-header X-U --trusted-proxy proxy.lan": "--trusted-proxy",
		"serve --db " + db + " --users " + users + " --allow-target mail.*.com":                         "--allow-target",
		"serve --db " + db + " --users " + users + " --tls-cert x.pem":                                  "--tls-key",
		"serve --db mysql://db/x --users " + users:                                                      "a postgres:// URL",
		"serve --db " + db + " --users " + users + " --listen 256.1.1.1:0":                              "--listen",
		"serve user add alice":                "--users FILE is required",
		"serve user add a/b --users " + users: "user name",
	} {
		code, _, errOut := run(t, nil, strings.Fields(args)...)
		if code != ExitUsage || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and one line mentioning %q", args, code, errOut, want)
		}
	}
}

// TestServeUserAddAndServe: an account added from standard input signs in on the served page, which
// stops cleanly when its context ends; the password is in no output.
func TestServeUserAddAndServe(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "staff")
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader("staff password 1\n"), Out: &out, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	if code := Run([]string{"serve", "user", "add", "alice", "--users", users}, ios); code != 0 {
		t.Fatalf("user add: exit %d: %s", code, errOut.String())
	}
	if b, _ := os.ReadFile(users); !strings.HasPrefix(strings.SplitN(string(b), "\n", 2)[1], "alice:$2") {
		t.Fatalf("accounts file:\n%s", b)
	}
	ios.In = strings.NewReader("")
	if code := Run([]string{"serve", "user", "add", "bob", "--users", users}, ios); code != ExitUsage {
		t.Errorf("user add with nothing on stdin: exit %d, want 2", code)
	}
	var opts *ServeOptions
	c := NewCmdServe(ios, func(o *ServeOptions) error { opts = o; return nil })
	c.SetArgs([]string{"--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "r.db"), "--users", users, "--resolver", "127.0.0.1:53"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	opts.ready = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, opts) }()
	var a string
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("serve stopped before listening: %v (%s)", err, errOut.String())
	}
	resp, err := http.Get("http://" + a + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="password"`) || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("/signin: %s, CSP %q", resp.Status, resp.Header.Get("Content-Security-Policy"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve did not stop cleanly: %v", err)
	}
	if strings.Contains(out.String()+errOut.String(), "staff password 1") {
		t.Error("the password is in the output")
	}
}
