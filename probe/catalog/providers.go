package catalog

import (
	"encoding/base64"
	"regexp"
	"strings"
	"unicode/utf16"
)

// Provider is a mail provider recognised by the names of its servers and by texts only its servers send.
// Some providers give generic replies (a bare "NO LOGIN failed", "535 authentication failed") a meaning
// of their own; ProviderRules holds those meanings and both explain and the probe consult them.
type Provider struct {
	// ID is the stable key ("microsoft"), used in explain's JSON field "provider".
	ID string
	// Name is the provider's name for people.
	Name string
	// Domains are the server domains: a host is the provider's when it is one of them or ends in
	// "." + one of them.
	Domains []string
	// Markers are texts only this provider's servers write (a greeting, a help address in replies).
	Markers []string
}

// Provider IDs.
const (
	ProviderMicrosoft = "microsoft"
	ProviderGoogle    = "google"
	ProviderYahoo     = "yahoo"
	ProviderApple     = "apple"
	ProviderFastmail  = "fastmail"
	ProviderZoho      = "zoho"
	ProviderGMX       = "gmx"
	ProviderYandex    = "yandex"
	ProviderQQ        = "qq"
	ProviderNetEase   = "netease"
)

var providers = []Provider{
	{ProviderMicrosoft, "Microsoft 365 / Exchange Online / Outlook.com",
		[]string{"office365.com", "outlook.office.com", "outlook.com", "hotmail.com", "live.com", "partner.outlook.cn"},
		[]string{"prod.outlook.com", "protection.outlook.com", "aka.ms/"}},
	{ProviderGoogle, "Gmail / Google Workspace",
		[]string{"gmail.com", "googlemail.com", "google.com"},
		[]string{"- gsmtp", "support.google.com/mail", "gsmtp'", "gsmtp\""}},
	{ProviderYahoo, "Yahoo / AOL",
		[]string{"yahoo.com", "yahoodns.net", "ymail.com", "aol.com"},
		[]string{"postmaster.yahooinc.com", "help.yahoo.com", "senders.yahooinc.com"}},
	{ProviderApple, "iCloud Mail",
		[]string{"mail.me.com", "icloud.com", "me.com", "mac.com"},
		[]string{"support.apple.com/en-us/HT204137"}},
	{ProviderFastmail, "Fastmail", []string{"fastmail.com", "messagingengine.com"}, nil},
	{ProviderZoho, "Zoho Mail", []string{"zoho.com", "zoho.eu", "zoho.in", "zohomail.com"}, []string{"mx.zoho.com"}},
	{ProviderGMX, "GMX / WEB.DE / mail.com", []string{"gmx.net", "gmx.com", "gmx.de", "web.de", "mail.com"}, nil},
	{ProviderYandex, "Yandex Mail", []string{"yandex.ru", "yandex.com", "yandex.net", "ya.ru"}, []string{"ya.cc/"}},
	{ProviderQQ, "QQ Mail / Tencent Exmail", []string{"qq.com", "foxmail.com"}, []string{"service.mail.qq.com", "service.exmail.qq.com"}},
	{ProviderNetEase, "NetEase 163 / 126", []string{"163.com", "126.com", "yeah.net"}, nil},
}

// Providers returns every known provider.
func Providers() []Provider {
	return append([]Provider(nil), providers...)
}

// ProviderOf returns the provider ID a server host name belongs to, or "".
func ProviderOf(host string) string {
	host = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	if host == "" {
		return ""
	}
	for _, p := range providers {
		for _, d := range p.Domains {
			if host == d || strings.HasSuffix(host, "."+d) {
				return p.ID
			}
		}
	}
	return ""
}

// exchangeGreeting is Exchange's IMAP4/POP3 greeting; Exchange Online follows it with the server's name,
// base64 of UTF-16LE ("…service is ready. [TQBOADIA…]" is MN2PR07CA0012.namprd07.prod.outlook.com).
var exchangeGreeting = regexp.MustCompile(`Microsoft Exchange (?:IMAP4|POP3) service is ready\.?\s*\[([A-Za-z0-9+/]{8,300}={0,2})\]`)

// ProviderOfGreeting returns the provider an IMAP or POP3 greeting identifies, or "". Only Exchange
// Online's greeting names its server; on-premises Exchange greets with the same words, so the words alone
// do not identify Microsoft 365.
func ProviderOfGreeting(greeting string) string {
	m := exchangeGreeting.FindStringSubmatch(greeting)
	if m == nil {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil || len(raw)%2 != 0 {
		return ""
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return ProviderOf(string(utf16.Decode(units)))
}

// hostInText finds host names in free text ("outlook.office365.com:993", "[SA9P221CA0019.NAMP221.PROD.OUTLOOK.COM]").
var hostInText = regexp.MustCompile(`(?i)\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\b`)

// ProviderInText returns the provider whose servers the text names or whose marker texts it contains, or
// "" when it names none or several (a bounce quoting two providers decides nothing). Names inside e-mail
// addresses are not server names and are skipped.
func ProviderInText(text string) string {
	if p := ProviderOfGreeting(text); p != "" {
		return p
	}
	found := ""
	add := func(p string) bool {
		if p == "" || p == found {
			return true
		}
		if found != "" {
			found = ""
			return false
		}
		found = p
		return true
	}
	for _, loc := range hostInText.FindAllStringIndex(text, 200) {
		if loc[0] > 0 && text[loc[0]-1] == '@' {
			continue
		}
		if !add(ProviderOf(text[loc[0]:loc[1]])) {
			return ""
		}
	}
	lower := strings.ToLower(text)
	for _, p := range providers {
		for _, m := range p.Markers {
			if strings.Contains(lower, strings.ToLower(m)) && !add(p.ID) {
				return ""
			}
		}
	}
	return found
}

// ProviderName returns the provider's name for people, or "".
func ProviderName(id string) string {
	for _, p := range providers {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// ProviderRule gives a refusal a provider-specific meaning: the same words mean something else from this
// provider than from a server in general.
type ProviderRule struct {
	// Providers the rule applies to.
	Providers []string
	// Protocols it applies to; empty means any.
	Protocols []string
	// From is the problem the reply's own codes and words lead to.
	From string
	// Problem is what the reply means from these providers.
	Problem string
	// Causes are ranked first; they name the provider's policy first and the generic reading after.
	Causes []string
	// Step is an extra first step.
	Step string
}

// providerRules: facts from the providers' own documentation (Microsoft: basic authentication for IMAP
// and POP turned off in Exchange Online since 2022-10; Google: "less secure apps" ended 2022-05, mail
// programs need an app password or OAuth2; Yahoo, AOL, iCloud, Fastmail, Yandex, QQ and NetEase: mail
// programs log in with an app password or authorisation code, not the account password).
var providerRules = []ProviderRule{
	{Providers: []string{ProviderMicrosoft}, Protocols: []string{"imap", "pop3"}, From: AuthFailed, Problem: AuthBasicDisabled,
		Causes: []string{
			"Exchange Online (Microsoft 365, Outlook.com) has switched password logins off for IMAP and POP; it answers a correct password with the same 'AUTHENTICATE failed' / 'LOGIN failed' as a wrong one, so the policy is the likelier cause.",
			"App passwords go through the same switched-off password login and fail the same way.",
			"If the program already signs in with OAuth2, the token lacks the IMAP/POP permission or the mailbox's IMAP/POP access is disabled by the administrator.",
			causeWrongPassword,
		},
		Step: "Use a mail program that signs in to Microsoft 365 with OAuth2 (modern authentication); for scripts, register an application for OAuth2 IMAP/POP access or use Microsoft Graph."},
	{Providers: []string{ProviderMicrosoft}, Protocols: []string{"imap", "pop3"}, From: AuthMechanism, Problem: AuthBasicDisabled,
		Causes: []string{
			"Exchange Online refuses password logins on IMAP and POP and words the refusal as an unsupported login mechanism; choosing another password mechanism does not help.",
			"If the program already signs in with OAuth2, the token lacks the IMAP/POP permission.",
		},
		Step: "Use a mail program that signs in to Microsoft 365 with OAuth2 (modern authentication); for scripts, register an application for OAuth2 IMAP/POP access or use Microsoft Graph."},
	{Providers: []string{ProviderGoogle, ProviderYahoo, ProviderApple, ProviderFastmail, ProviderYandex, ProviderQQ, ProviderNetEase},
		From: AuthFailed, Problem: AuthAppPassword,
		Causes: []string{
			"This provider does not accept the account's normal password from mail programs: it wants an app password (app-specific password, authorisation code) created in the account's security settings, or OAuth2 sign-in.",
			"An app password was created but mistyped, revoked, or created for another account.",
			causeWrongPassword,
		}},
}

// ApplyProviderRule returns the provider's meaning of a refusal that reads as problem in general, when one
// is catalogued for the provider and protocol. An unknown protocol ("", a paste that does not say) matches
// every rule: the rules' wordings belong to their protocols.
func ApplyProviderRule(provider, protocol, problem string) (ProviderRule, bool) {
	if provider == "" {
		return ProviderRule{}, false
	}
	for _, r := range providerRules {
		if r.From != problem || !contains(r.Providers, provider) {
			continue
		}
		if len(r.Protocols) > 0 && protocol != "" && !contains(r.Protocols, protocol) {
			continue
		}
		return r, true
	}
	return ProviderRule{}, false
}
