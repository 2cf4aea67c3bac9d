package cmd

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mailcheck/mailcheck/probe"
	"github.com/mailcheck/mailcheck/probe/sandbox"
	"github.com/mailcheck/mailcheck/probe/sandbox/sandboxtest"
)

// runSendIn runs `mailcheck send <args>` with its network replaced by the sandbox.
func runSendIn(t *testing.T, sb *sandbox.Sandbox, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Getenv: func(k string) string { return env[k] }}
	root := NewRootCmd(ios)
	for _, c := range root.Commands() {
		if c.Name() == "send" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdSend(ios, func(o *SendOptions) error {
		o.dialer = sb
		o.resolver = &probe.Resolver{Servers: []string{sb.DNSAddr}, Timeout: 30 * time.Second}
		o.rootCAs = sb.RootCAs
		return runSend(context.Background(), o)
	}))
	root.SetArgs(append([]string{"send"}, args...))
	err := root.Execute()
	var ee *ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		if ee.Err != nil {
			errOut.WriteString("mailcheck: " + ee.Err.Error() + "\n")
		}
		code = ee.Code
	default:
		errOut.WriteString("mailcheck: " + err.Error() + "\n")
		code = ExitUsage
	}
	return code, out.String(), errOut.String()
}

// TestSendForgedMX (issue 20): send --dry-run from an address whose MX is forged finds only the
// attacker's submission server, named by a file the MX answer led to, and sends it neither the password
// nor the token: it stops with the reason and the way to name a server on purpose.
func TestSendForgedMX(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.ForgedMXWorld())
	for _, kind := range []struct {
		name, secret string
		env          map[string]string
	}{
		{"password", sandbox.ForgedMXPassword, map[string]string{PasswordEnv: sandbox.ForgedMXPassword}},
		{"token", sandbox.ForgedMXToken, map[string]string{OAuthTokenEnv: sandbox.ForgedMXToken}},
	} {
		args := []string{"--from", sandbox.ForgedMXUser, "--to", "bob@victim.test", "--dry-run", "--user", sandbox.ForgedMXUser, "--timeout", "30s"}
		code, out, errOut := runSendIn(t, sb, kind.env, args...)
		if n := sb.Heard(sandbox.ProtoSMTP, kind.secret); n != 0 {
			t.Errorf("send --dry-run with a %s: smtp.evil.test got it %d time(s)", kind.name, n)
		}
		if code != ExitProblems || !strings.Contains(errOut, "reached through the domain's MX record named it, which can be forged") || !strings.Contains(errOut, "--server submissions://smtp.evil.test:465") {
			t.Errorf("send --dry-run with a %s: exit %d, stderr %q", kind.name, code, errOut)
		}
		if strings.Contains(out+errOut, kind.secret) {
			t.Errorf("the %s is printed", kind.name)
		}
	}
}
