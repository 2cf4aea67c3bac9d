package posture

import (
	"context"
	"fmt"
	"strings"
)

// Reverse DNS of the sending address, forward-confirmed (FCrDNS, RFC 8601 section 3 "iprev"): a PTR name
// whose own A/AAAA records lead back to the address. Many receivers refuse mail from an address without
// one.
func checkReverseDNS(ctx context.Context, env *Env, t Target) Finding {
	ip := t.SendingIP.String()
	f := Finding{Name: ip}
	names, a := ptrNames(ctx, env.Resolver, ip)
	if s := dnsTrouble(ip, a); s != "" {
		f.Verdict, f.Meaning = Unknown, s
		return f
	}
	fix := fmt.Sprintf("ask whoever runs %s's network (your hosting or internet provider) to set its PTR record to your mail server's name, e.g. mail.%s, whose A/AAAA record is %s", ip, t.Domain, ip)
	if len(names) == 0 {
		f.Verdict = Fail
		f.Meaning = fmt.Sprintf("%s has no reverse DNS (PTR) name: Gmail, Microsoft and many others refuse or junk its mail", ip)
		f.Instructions = []string{fix}
		return f
	}
	for _, n := range names {
		host := strings.TrimSuffix(n, ".")
		f.Records = append(f.Records, host)
		ips, _ := addrs(ctx, env.Resolver, host)
		for _, back := range ips {
			if back.String() == ip {
				f.Verdict, f.Value = OK, host
				f.Meaning = fmt.Sprintf("%s is %s, and %s leads back to it (forward-confirmed)", ip, host, host)
				return f
			}
		}
		f.Trace = append(f.Trace, fmt.Sprintf("%s does not lead back to %s", host, ip))
	}
	f.Verdict, f.Value = Fail, f.Records[0]
	f.Meaning = fmt.Sprintf("%s's PTR name %s does not lead back to it (not forward-confirmed): receivers treat that like no reverse DNS", ip, f.Records[0])
	f.Instructions = []string{fmt.Sprintf("publish %s. A/AAAA %s, or have the PTR changed to a name that has it", f.Records[0], ip)}
	return f
}
