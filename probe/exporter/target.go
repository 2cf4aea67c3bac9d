package exporter

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mailcheck/mailcheck/probe"
)

// Target limits. RFC 5321 section 4.5.3.1.1 allows 64 octets of local part, RFC 1035 section 2.3.4 255
// octets of domain name (253 characters written out); maxTargetLen covers the longest endpoint URL
// (submissions://, a 253-character host, :65535) and address with room to spare.
const (
	maxLocalPart = 64
	maxHostLen   = 253
	maxTargetLen = 512
)

// validateTarget refuses, before anything parses it, a target no mail address, domain or endpoint URL can
// be: longer than maxTargetLen bytes, not UTF-8, with a control or format character (a CR LF would go on
// into protocol commands, a bidi override into the debug page), a local part over 64 octets or a host
// over 253 characters. The error is the 400 answer's one line; it never repeats the target.
func validateTarget(target string) error {
	if len(target) > maxTargetLen {
		return fmt.Errorf("the target is %d bytes long; an address, domain or endpoint URL has at most %d", len(target), maxTargetLen)
	}
	if !utf8.ValidString(target) {
		return fmt.Errorf("the target is not valid UTF-8")
	}
	for i, r := range target {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("the target contains the control character U+%04X at byte %d", r, i)
		}
	}
	t := strings.TrimSpace(target)
	host := t
	if strings.Contains(t, "://") {
		u, err := url.Parse(t)
		if err != nil {
			return nil // probe.ParseEndpoint says what is wrong with it
		}
		host = u.Hostname()
	} else if i := strings.LastIndexByte(t, '@'); i >= 0 {
		if i > maxLocalPart {
			return fmt.Errorf("the part before @ is %d bytes long; RFC 5321 allows %d", i, maxLocalPart)
		}
		host = t[i+1:]
	}
	if n := len(strings.TrimSuffix(host, ".")); n > maxHostLen {
		return fmt.Errorf("the domain is %d characters long; DNS allows %d", n, maxHostLen)
	}
	return nil
}

// requestKey is what the interval rule and shared results know a request by: the module and the target
// as the probe sees it, however it was spelt. An endpoint URL is its canonical form (scheme and host in
// lower case, no trailing dot, the port written out, so IMAPS://Mail.example.com.:0993/ is
// imaps://mail.example.com:993); a domain or an address is its domain, since the probe of alice@example.com
// and of bob@example.com asks the same servers (and a module logs in with its own user, not the target's).
func requestKey(module string, req probe.Request) string {
	if len(req.Endpoints) == 1 {
		ep := req.Endpoints[0]
		ep.Host = canonicalHost(ep.Host)
		return module + " " + ep.URL()
	}
	return module + " domain " + canonicalHost(req.Domain)
}

// canonicalHost is a host name in lower case without its trailing dot, or an IP literal in its one form
// (an IPv4-mapped IPv6 address as the IPv4 address it reaches).
func canonicalHost(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
		return ip.Unmap().WithZone("").String()
	}
	return h
}
