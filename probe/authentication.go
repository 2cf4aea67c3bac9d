package probe

import "strings"

// authMethodLabels are the values of autoconfig's <authentication> (Thunderbird's config-v1.1.xml format,
// https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat) as mail clients label them.
var authMethodLabels = map[string]string{
	"oauth2":             "OAuth2 (modern authentication)",
	"password-cleartext": "normal password",
	"plain":              "normal password",
	"password-encrypted": "encrypted password (CRAM-MD5)",
	"secure":             "encrypted password (CRAM-MD5)",
	"ntlm":               "NTLM (SPA)",
	"gssapi":             "Kerberos (GSSAPI)",
	"client-ip-address":  "by IP address, no login",
	"tls-client-cert":    "TLS client certificate",
	"none":               "no authentication",
}

// maxAuthMethods bounds the methods kept per server: a file may repeat the element without limit.
const maxAuthMethods = 8

// appendAuthMethods adds the known methods of one <authentication> list, once each; unknown words are
// dropped, so nothing a file invents reaches a terminal.
func appendAuthMethods(have, methods []string) []string {
	for _, m := range methods {
		if label, ok := authMethodLabels[strings.ToLower(strings.TrimSpace(m))]; ok && len(have) < maxAuthMethods {
			have = appendLabel(have, label)
		}
	}
	return have
}

// annotateAuthentication gives each recommended setting the login methods an autoconfig file names for
// its server, so that a user sees that a provider wants OAuth2 before typing a password.
func annotateAuthentication(rep *Report) {
	for _, s := range []*Setting{rep.Settings.Incoming, rep.Settings.Outgoing} {
		if s == nil {
			continue
		}
		url := Endpoint{Protocol: s.Protocol, Host: s.Server, Port: s.Port, Security: s.Security}.URL()
		for _, a := range rep.Autoconfig {
			for _, label := range a.Authentication[url] {
				s.Authentication = appendLabel(s.Authentication, label)
			}
		}
	}
}

func appendLabel(have []string, label string) []string {
	for _, h := range have {
		if h == label {
			return have
		}
	}
	return append(have, label)
}
