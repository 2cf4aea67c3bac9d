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
		"exporter":                                       "--allow-target",
		"exporter --allow-target mail.*.com":             "--allow-target",
		"exporter --allow-target * --config " + bad:      "never goes in this file",
		"exporter --allow-target * --config /nonexist":   "--config",
		"exporter --allow-target * --concurrency 0":      "--concurrency",
		"exporter --allow-target * --max-connections 0":  "--max-connections",
		"exporter --allow-target * --listen 256.1.1.1:0": "--listen",
		"exporter --allow-target * extra":                "unknown command",
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
