package explain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A whole delivery-status notification is read with a MIME library (issue 21): the base64 human part and
// the delivery-status fields are decoded, the failed recipient decides, the delivered one does not, and
// the recipient's MX is not offered for a re-test.
func TestExplainWholeDSN(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "explain", "dsn", "postfix_mailbox_full.eml"))
	if err != nil {
		t.Fatal(err)
	}
	e := Explain(string(raw))
	if e.Problem != "mailbox_full" || e.Delivery == nil || !e.Fields.Bounce || e.Retest != nil {
		t.Fatalf("problem %q, delivery %+v, bounce %v, retest %+v", e.Problem, e.Delivery, e.Fields.Bounce, e.Retest)
	}
	d := e.Delivery
	if d.ReportingMTA != "mail.example.com" || len(d.Recipients) != 2 {
		t.Fatalf("delivery %+v", d)
	}
	r := d.Recipients[0]
	if r.Recipient != "bob@example.org" || r.Action != "failed" || r.Status != "5.2.2" || r.RemoteMTA != "mx.example.org" ||
		!strings.HasPrefix(r.Diagnostic, "552 5.2.2 <bob@example.org>: Recipient address rejected: Mailbox full") {
		t.Errorf("recipient %+v", r)
	}
	if !strings.Contains(e.Input, "could not") {
		t.Errorf("the base64 human-readable part was not decoded: %q", e.Input)
	}
	checkInvariants(t, e)
}

// Text that only mentions multipart/report, or broken MIME, is read as pasted text.
func TestDSNFallsBackToText(t *testing.T) {
	for _, in := range []string{
		"Content-Type: multipart/report; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\n",
		"the report said multipart/report and 550 5.1.1 User unknown",
		"Content-Type: multipart/report\n\ngarbage",
	} {
		if _, _, ok := parseDSN(in); ok {
			t.Errorf("%q parsed as a DSN", in)
		}
		checkInvariants(t, Explain(in))
	}
}
