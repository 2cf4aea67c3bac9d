//go:build unix

package cmd

import (
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestInterruptPrintsWhatWasLearned: Ctrl-C during a probe ends it promptly with the report so far (valid
// JSON, status "interrupted") and exit 130 (issue 23: Ctrl-C lost everything). The signal is sent once the
// silent server has the connection: a signal, not a sleep.
func TestInterruptPrintsWhatWasLearned(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	connected := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			connected <- c // stays silent: the TLS handshake waits
		}
	}()
	go func() {
		c := <-connected
		defer c.Close()
		_ = syscall.Kill(syscall.Getpid(), syscall.SIGINT)
		_, _ = io.Copy(io.Discard, c) // hold the connection until mailcheck gives up on it
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	code, out, errOut := run(t, nil, append([]string{"probe", "--json", "imaps://127.0.0.1:" + port}, answeringBudgets...)...)
	if code != ExitInterrupted || !strings.Contains(errOut, "interrupted") {
		t.Errorf("exit %d, stderr %q; want %d and 'interrupted'", code, errOut, ExitInterrupted)
	}
	var rep struct {
		Status    string `json:"status"`
		Endpoints []struct {
			Problems []struct {
				Code string `json:"code"`
			} `json:"problems"`
		} `json:"endpoints"`
		Problems []struct {
			Code string `json:"code"`
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("the partial report is no valid JSON: %v\n%s", err, out)
	}
	if rep.Status != "interrupted" || len(rep.Endpoints) != 1 || len(rep.Endpoints[0].Problems) == 0 ||
		rep.Endpoints[0].Problems[0].Code != "interrupted" || len(rep.Problems) == 0 || rep.Problems[len(rep.Problems)-1].Code != "interrupted" {
		t.Errorf("status %q, report %s; want an interrupted run with an interrupted endpoint", rep.Status, out)
	}
}
