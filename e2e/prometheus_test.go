//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Inside the client namespace: the exporter and Prometheus listen on its loopback only.
const (
	exporterAddr   = "127.0.0.1:9916"
	prometheusAddr = "127.0.0.1:9090"
)

// inClient runs a command inside the client namespace and returns its stdout.
func inClient(t *testing.T, stdin []byte, name string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", w.netns, name}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8"}
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.Bytes(), nil
}

// httpGet fetches a URL from inside the client namespace.
func httpGet(t *testing.T, rawURL string) ([]byte, error) {
	return inClient(t, nil, "curl", "-sS", "--fail-with-body", "--max-time", "50", rawURL)
}

// startDaemon starts a long-running program in the client namespace, stopped when the test ends.
func startDaemon(t *testing.T, env []string, logName string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", w.netns}, args...)...)
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8"}, env...)
	logf, err := os.Create(filepath.Join(w.work, "log", logName))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // ip netns exec became the program: this pid is it
		_ = cmd.Wait()
		logf.Close()
	})
	return cmd
}

// startExporter starts `mailcheck exporter` and returns once it listens (it says so on stderr).
func startExporter(t *testing.T) {
	t.Helper()
	// The default module, and one that also checks the domain's mail posture (issue 25).
	modules := filepath.Join(w.work, "exporter-modules.toml")
	if err := os.WriteFile(modules, []byte("[module.default]\n\n[module.posture]\nposture = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", w.netns, w.bin, "exporter", "--listen", exporterAddr, "--config", modules,
		"--allow-target", w.domainSRV, "--allow-target", "*.faults.test",
		// The test world lives in documentation prefixes (testdata/e2e/world.env), which the exporter's
		// connection policy refuses unless allowed.
		"--allow-private", "192.0.2.0/24", "--allow-private", "2001:db8:e2e::/48")
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8", "SSL_CERT_FILE=" + w.caFile}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	listening := make(chan string, 1)
	said := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var lines []string
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if strings.Contains(sc.Text(), "listening on") {
				listening <- sc.Text()
			}
		}
		said <- strings.Join(lines, "\n")
		close(listening)
	}()
	select {
	case line, ok := <-listening:
		if !ok {
			t.Fatalf("mailcheck exporter exited before listening:\n%s", <-said)
		}
		t.Log(line)
	case <-time.After(30 * time.Second):
		t.Fatal("mailcheck exporter did not say it listens within 30 s")
	}
}

func probeURL(target string) string {
	return "http://" + exporterAddr + "/probe?" + url.Values{"target": {target}}.Encode()
}

type promVector struct {
	Status string `json:"status"`
	Data   struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	} `json:"data"`
}

func promQuery(t *testing.T, query string) (promVector, []byte) {
	t.Helper()
	var v promVector
	b, err := httpGet(t, "http://"+prometheusAddr+"/api/v1/query?"+url.Values{"query": {query}}.Encode())
	if err != nil {
		return v, b
	}
	_ = json.Unmarshal(b, &v)
	return v, b
}

// TestPrometheus: Debian's Prometheus scrapes the exporter inside the namespace world; the assertions go
// through Prometheus' HTTP API.
func TestPrometheus(t *testing.T) {
	startExporter(t)
	good, expired := w.domainSRV, "imaps://"+w.expired+":993"

	t.Run("promtool check metrics", func(t *testing.T) {
		for _, target := range []string{good, expired} {
			body, err := httpGet(t, probeURL(target))
			if err != nil {
				t.Fatal(err)
			}
			if out, err := inClient(t, body, "promtool", "check", "metrics"); err != nil {
				t.Errorf("promtool check metrics on /probe?target=%s: %v\n%s", target, err, out)
			}
			if target == expired {
				t.Logf("/probe?target=%s:\n%s", target, body)
			}
		}
		body, err := httpGet(t, "http://"+exporterAddr+"/metrics")
		if err != nil {
			t.Fatal(err)
		}
		if out, err := inClient(t, body, "promtool", "check", "metrics"); err != nil {
			t.Errorf("promtool check metrics on /metrics: %v\n%s", err, out)
		}
	})

	t.Run("promtool check rules", func(t *testing.T) {
		rules, err := filepath.Abs("../prometheus/mailcheck.rules.yml")
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("promtool", "check", "rules", rules).CombinedOutput(); err != nil {
			t.Errorf("promtool check rules: %v\n%s", err, out)
		}
	})

	t.Run("scraped by prometheus", func(t *testing.T) {
		dir := filepath.Join(w.work, "prometheus")
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		rules, _ := filepath.Abs("../prometheus/mailcheck.rules.yml")
		cfg := fmt.Sprintf(`global:
  scrape_interval: 5s
  scrape_timeout: 5s
rule_files: [%q]
scrape_configs:
  - job_name: mailcheck
    metrics_path: /probe
    params:
      module: [default]
    static_configs:
      - targets: [%q, %q]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: %s
  - job_name: mailcheck-posture
    metrics_path: /probe
    params:
      module: [posture]
    static_configs:
      - targets: [%q]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: %s
`, rules, good, expired, exporterAddr, good, exporterAddr)
		cfgFile := filepath.Join(dir, "prometheus.yml")
		if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		startDaemon(t, nil, "prometheus.log", "prometheus", "--config.file="+cfgFile,
			"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+prometheusAddr)

		// Readiness is Prometheus' answer: poll the API until both targets have been scraped (each scrape
		// is a real probe of the world), within a minute.
		deadline := time.Now().Add(60 * time.Second)
		var v promVector
		var raw []byte
		for {
			v, raw = promQuery(t, `probe_success{job="mailcheck"}`)
			posture, _ := promQuery(t, `mailcheck_posture_verdict{job="mailcheck-posture"}`)
			if len(v.Data.Result) == 2 && len(posture.Data.Result) > 0 {
				break
			}
			if time.Now().After(deadline) {
				log, _ := os.ReadFile(filepath.Join(w.work, "log", "prometheus.log"))
				t.Fatalf("Prometheus has no probe_success for both targets after 60 s: %s\n%s", raw, clip(log))
			}
			time.Sleep(500 * time.Millisecond) // polling an external server's state; not synchronisation of our own code
		}
		t.Logf("probe_success{job=\"mailcheck\"}: %s", raw)
		got := map[string]string{}
		for _, r := range v.Data.Result {
			got[r.Metric["instance"]] = fmt.Sprint(r.Value[1])
		}
		if got[good] != "1" || got[expired] != "0" {
			t.Errorf("probe_success by instance %v, want %s=1 and %s=0", got, good, expired)
		}
		v, raw = promQuery(t, `mailcheck_problem{job="mailcheck",code="cert_expired"}`)
		t.Logf("mailcheck_problem{code=\"cert_expired\"}: %s", raw)
		found := false
		for _, r := range v.Data.Result {
			if r.Metric["instance"] == expired && r.Metric["host"] == w.expired && r.Metric["port"] == "993" && r.Metric["severity"] == "fail" {
				found = true
			}
		}
		if !found {
			t.Errorf("no cert_expired problem series for %s: %s", expired, raw)
		}
		v, raw = promQuery(t, `mailcheck_endpoint_up{job="mailcheck",instance="`+good+`"} == 1`)
		if len(v.Data.Result) == 0 {
			t.Errorf("no working endpoint series for %s: %s", good, raw)
		}
		// The posture series: one verdict per check, as a label with the value 1, and its ok series.
		v, raw = promQuery(t, `mailcheck_posture_verdict{job="mailcheck-posture",instance="`+good+`"}`)
		t.Logf("mailcheck_posture_verdict: %s", raw)
		verdicts := map[string]string{}
		for _, r := range v.Data.Result {
			if _, dup := verdicts[r.Metric["check"]]; dup || fmt.Sprint(r.Value[1]) != "1" {
				t.Errorf("posture check %s: a second series or a value other than 1: %s", r.Metric["check"], raw)
			}
			verdicts[r.Metric["check"]] = r.Metric["verdict"]
		}
		for _, check := range []string{"spf", "dmarc", "mta_sts", "tls_rpt"} {
			switch verdicts[check] {
			case "ok", "warn", "fail", "absent", "unknown":
			default:
				t.Errorf("no posture verdict for %s: %v", check, verdicts)
			}
		}
		if v, raw = promQuery(t, `mailcheck_posture_ok{job="mailcheck-posture",check="spf"}`); len(v.Data.Result) != 1 {
			t.Errorf("no mailcheck_posture_ok for spf: %s", raw)
		}
	})
}
