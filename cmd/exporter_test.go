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

func TestExporterUsage(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[module.x]\npassword = \"hunter2\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for args, want := range map[string]string{
		"exporter":                                              "--allow-target",
		"exporter --allow-target mail.*.com":                    "--allow-target",
		"exporter --allow-target * --config " + bad:             "never goes in this file",
		"exporter --allow-target * --config /nonexist":          "--config",
		"exporter --allow-target * --concurrency 0":             "--concurrency",
		"exporter --allow-target * --listen 256.1.1.1:0":        "--listen",
		"exporter --allow-target * --allow-private 10.0.0.0/33": "--allow-private",
		"exporter --allow-target * --allow-private intranet":    "--allow-private",
		"exporter --allow-target * --max-connections 0":         "--max-connections",
		"exporter --allow-target * extra":                       "unknown command",
	} {
		code, out, errOut := run(t, nil, strings.Fields(args)...)
		if code != ExitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 mentioning %q", args, code, errOut, want)
		}
		if strings.Contains(out+errOut, "hunter2") {
			t.Errorf("%s: a secret from the file is printed: %q", args, errOut)
		}
	}
}

// TestExporterRefusesAWideLoginModule (issue 20, finding 2): a login module combined with an
// --allow-target wider than its account's domain stops the exporter at start-up, with one line and exit 2.
func TestExporterRefusesAWideLoginModule(t *testing.T) {
	mods := filepath.Join(t.TempDir(), "mods.toml")
	if err := os.WriteFile(mods, []byte("[module.login]\nlogin = true\nuser = \"mon@example.test\"\npassword_env = \"MON_PW\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MON_PW": "monitoring secret"}
	for _, pattern := range []string{"*", "*.test"} {
		code, out, errOut := run(t, env, "exporter", "--listen", "127.0.0.1:0", "--config", mods, "--allow-target", pattern)
		if code != ExitUsage || !strings.Contains(errOut, "module login logs in as mon@example.test") ||
			strings.Count(strings.TrimSpace(errOut), "\n") != 0 || strings.Contains(out+errOut, "monitoring secret") {
			t.Errorf("--allow-target %s: exit %d, stderr %q; want 2 and one line naming the module", pattern, code, errOut)
		}
	}
}

// TestExporterServes: the command listens, answers /metrics and stops cleanly when its context ends.
func TestExporterServes(t *testing.T) {
	var errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut, Getenv: func(string) string { return "" }}
	var opts *ExporterOptions
	c := NewCmdExporter(ios, func(o *ExporterOptions) error { opts = o; return nil })
	c.SetArgs([]string{"--listen", "127.0.0.1:0", "--allow-target", "example.com", "--resolver", "127.0.0.1:53"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	opts.ready = func(a string) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runExporter(ctx, opts) }()
	var a string
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("the exporter stopped before listening: %v (%s)", err, errOut.String())
	}
	resp, err := http.Get("http://" + a + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if !strings.Contains(string(body), "mailcheck_exporter_probes_in_flight 0") {
		t.Errorf("/metrics:\n%s", body)
	}
	resp, err = http.Get("http://" + a + "/probe?target=example.org")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a target outside --allow-target: HTTP %d, want 403", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("stopping: %v", err)
	}
	if !strings.Contains(errOut.String(), "listening on http://127.0.0.1:") {
		t.Errorf("stderr %q", errOut.String())
	}
}
