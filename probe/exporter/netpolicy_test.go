package exporter_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/exporter"
	"github.com/mailcheck/mailcheck/probe/netpolicy"
	"github.com/mailcheck/mailcheck/report"
)

// loopbackExporter serves an exporter that may probe 127.0.0.1 targets (--allow-target 127.0.0.0/8) under
// policy, on a listener of its own through Serve (which adds the listener to the policy).
func loopbackExporter(t *testing.T, policy *netpolicy.Policy) string {
	t.Helper()
	mods, _ := exporter.LoadModules("")
	allow, err := exporter.ParseAllowList([]string{"127.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	exp, err := exporter.New(exporter.Config{Modules: mods, Base: probe.Config{Dialer: &net.Dialer{}}, Allow: allow,
		Concurrency: 2, History: 10, DebugPages: true, View: report.ExporterView{}, Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- exp.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func fetch(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// banner serves an SSH-like banner with a secret in it to every connection.
func banner(t *testing.T, text string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				fmt.Fprintf(c, "%s\r\n", text)
				_, _ = bufio.NewReader(c).ReadString('\n') // until the client goes
			}()
		}
	}()
	return ln.Addr().String()
}

// TestExporterRefusesInternalByDefault: without --allow-private, a loopback target (allowed by
// --allow-target) is not connected to: the finding is address_not_allowed.
func TestExporterRefusesInternalByDefault(t *testing.T) {
	srv := banner(t, "SSH-2.0-OpenSSH_9.2")
	addr := loopbackExporter(t, nil)
	_, port, _ := net.SplitHostPort(srv)
	body := fetch(t, "http://"+addr+probePath("imaps://127.0.0.1:"+port, ""))
	for _, want := range []string{"\nprobe_success 0\n", `mailcheck_problem{code="address_not_allowed",host="127.0.0.1",port="` + port + `",severity="fail"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("a loopback target by default: lacks %q:\n%s", want, body)
		}
	}
	debug := fetch(t, "http://"+addr+probePath("imaps://127.0.0.1:"+port, "")+"&debug=true")
	if !strings.Contains(debug, "a loopback address (127.0.0.0/8)") || !strings.Contains(debug, "--allow-private") {
		t.Errorf("the debug page does not say why:\n%s", debug)
	}
}

// TestExporterHidesForeignBanner: an internal SSH server (allowed by --allow-private) is "not a mail
// service" on the metrics and the debug pages, and none of its words appear there.
func TestExporterHidesForeignBanner(t *testing.T) {
	const secret = "SSH-2.0-OpenSSH_9.2 requirepass=hunter2-internal"
	srv := banner(t, secret)
	allow, _ := netpolicy.ParseAllow([]string{"127.0.0.0/8"})
	addr := loopbackExporter(t, netpolicy.New(allow))
	_, port, _ := net.SplitHostPort(srv)
	target := "imap://127.0.0.1:" + port
	metrics := fetch(t, "http://"+addr+probePath(target, ""))
	if !strings.Contains(metrics, `mailcheck_problem{code="not_mail_service",host="127.0.0.1",port="`+port+`",severity="fail"} 1`) {
		t.Errorf("metrics:\n%s", metrics)
	}
	ids := probeLink.FindStringSubmatch(fetch(t, "http://"+addr+"/"))
	if ids == nil {
		t.Fatal("the index lists no probe")
	}
	for _, page := range []string{probePath(target, "") + "&debug=true", "/probes/" + ids[1], "/"} {
		body := fetch(t, "http://"+addr+page)
		if strings.Contains(body, "SSH-2.0") || strings.Contains(body, "hunter2") {
			t.Errorf("%s shows the banner:\n%s", page, body)
		}
		if page != "/" && !strings.Contains(body, "is not a mail service") {
			t.Errorf("%s does not say it is not a mail service:\n%s", page, body)
		}
	}
	if strings.Contains(metrics, "hunter2") {
		t.Error("the metrics show the banner")
	}
}

// TestExporterDoesNotProbeItself: a target at the exporter's own listening address is refused even when
// its range is allowed.
func TestExporterDoesNotProbeItself(t *testing.T) {
	allow, _ := netpolicy.ParseAllow([]string{"127.0.0.0/8"})
	policy := netpolicy.New(allow)
	addr := loopbackExporter(t, policy)
	_, port, _ := net.SplitHostPort(addr)
	body := fetch(t, "http://"+addr+probePath("smtp://127.0.0.1:"+port, "")+"&debug=true")
	if !strings.Contains(body, "address_not_allowed") || !strings.Contains(body, "own listening address") {
		t.Errorf("a probe of the exporter itself:\n%s", body)
	}
	var de *netpolicy.DeniedError
	ctx := netpolicy.WithPorts(context.Background(), atoi(port))
	if err := policy.CheckAddress(ctx, "tcp", addr); !errors.As(err, &de) {
		t.Errorf("the policy after Serve: %v", err)
	}
}

func atoi(s string) int {
	var n int
	fmt.Sscanf(s, "%d", &n)
	return n
}
