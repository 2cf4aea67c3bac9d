package explain

import (
	"bufio"
	"errors"
	"io"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Delivery is what a whole delivery-status notification says (RFC 3464): which server reported it and,
// for each recipient, what happened, with the remote server's own words.
type Delivery struct {
	// ReportingMTA is the server that wrote the report ("dns; mail.example.com").
	ReportingMTA string `json:"reporting_mta,omitempty"`
	// Recipients are the per-recipient fields, in the report's order.
	Recipients []DeliveryRecipient `json:"recipients"`
}

// DeliveryRecipient is one recipient block of a delivery-status part (RFC 3464 section 2.3).
type DeliveryRecipient struct {
	// Recipient is the Final-Recipient address, without its type ("rfc822;").
	Recipient string `json:"recipient"`
	// Action is failed, delayed, delivered, relayed or expanded.
	Action string `json:"action,omitempty"`
	// Status is the enhanced status code ("5.1.1").
	Status string `json:"status,omitempty"`
	// RemoteMTA is the server that gave the answer, without its type ("dns;").
	RemoteMTA string `json:"remote_mta,omitempty"`
	// Diagnostic is the remote server's reply, without its type ("smtp;").
	Diagnostic string `json:"diagnostic,omitempty"`
}

// Limits on what is read of a report: the delivery-status part and the human-readable part are short;
// the returned original message, often large, is not read at all.
const (
	maxDSNPart     = 64 << 10
	maxDSNText     = 16 << 10
	maxDSNParts    = 8
	maxRecipients  = 50
	maxDSNHeaderKB = 64
)

// mimeStart says whether the text starts like a mail message: with a header field.
var mimeStart = regexp.MustCompile(`\A[A-Za-z0-9-]{1,76}:`)

// parseDSN reads a multipart/report delivery-status notification (RFC 6522, RFC 3464) with a MIME
// library. ok is false for anything else (a pasted excerpt, a plain message, broken MIME); the caller
// then reads the text as it is. human is the decoded human-readable part.
func parseDSN(raw string) (d Delivery, human string, ok bool) {
	if !strings.Contains(strings.ToLower(raw[:min(len(raw), 64<<10)]), "multipart/report") || !mimeStart.MatchString(raw) {
		return Delivery{}, "", false
	}
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	ent, err := message.ReadWithOptions(strings.NewReader(raw), &message.ReadOptions{MaxHeaderBytes: maxDSNHeaderKB << 10})
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return Delivery{}, "", false
	}
	mt, _, _ := ent.Header.ContentType()
	mr := ent.MultipartReader()
	if mt != "multipart/report" || mr == nil {
		return Delivery{}, "", false
	}
	found := false
	for i := 0; i < maxDSNParts; i++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && (part == nil || !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err)) {
			break
		}
		pt, _, _ := part.Header.ContentType()
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			if readDeliveryStatus(part.Body, &d) {
				found = true
			}
		case "text/plain":
			if human == "" {
				b, _ := io.ReadAll(io.LimitReader(part.Body, maxDSNText))
				human = string(b)
			}
		}
	}
	return d, human, found
}

// readDeliveryStatus reads the per-message block and the per-recipient blocks, each a header block ended
// by an empty line (RFC 3464 section 2.1).
func readDeliveryStatus(body io.Reader, d *Delivery) bool {
	br := bufio.NewReader(io.LimitReader(body, maxDSNPart))
	perMessage, err := textproto.ReadHeader(br)
	if err != nil && perMessage.Len() == 0 {
		return false
	}
	d.ReportingMTA = fieldValue(perMessage.Get("Reporting-MTA"))
	for len(d.Recipients) < maxRecipients {
		h, err := textproto.ReadHeader(br)
		if h.Len() > 0 && (h.Has("Final-Recipient") || h.Has("Status")) {
			d.Recipients = append(d.Recipients, DeliveryRecipient{
				Recipient:  fieldValue(h.Get("Final-Recipient")),
				Action:     strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				Status:     strings.TrimSpace(h.Get("Status")),
				RemoteMTA:  fieldValue(h.Get("Remote-MTA")),
				Diagnostic: fieldValue(h.Get("Diagnostic-Code")),
			})
		}
		if err != nil {
			break
		}
		if _, err := br.Peek(1); err != nil {
			break
		}
	}
	return len(d.Recipients) > 0
}

// fieldValue drops the type of a DSN field ("rfc822; bob@example.org", "smtp; 550 …") and unfolds it.
func fieldValue(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if i := strings.IndexByte(v, ';'); i >= 0 && i < 20 && !strings.ContainsAny(v[:i], " <@") {
		v = strings.TrimSpace(v[i+1:])
	}
	return v
}

// text renders the report as the lines explain reads: each failing recipient's status, remote server and
// diagnostic first, then the human-readable part.
func (d Delivery) text(human string) string {
	var b strings.Builder
	for _, r := range d.Recipients {
		if r.Action == "delivered" || r.Action == "relayed" || r.Action == "expanded" {
			continue
		}
		b.WriteString("Final-Recipient: rfc822; " + r.Recipient + "\n")
		if r.Status != "" {
			b.WriteString("Status: " + r.Status + "\n")
		}
		if r.RemoteMTA != "" {
			b.WriteString("Remote-MTA: dns; " + r.RemoteMTA + "\n")
		}
		if r.Diagnostic != "" {
			b.WriteString("Diagnostic-Code: smtp; " + r.Diagnostic + "\n")
		}
		b.WriteString("\n")
	}
	return b.String() + human
}
