package catalog

import "testing"

func TestProviderOf(t *testing.T) {
	for host, want := range map[string]string{
		"outlook.office365.com":  ProviderMicrosoft,
		"SMTP.Office365.com.":    ProviderMicrosoft,
		"imap.gmail.com":         ProviderGoogle,
		"mta7.am0.yahoodns.net":  ProviderYahoo,
		"imap.mail.me.com":       ProviderApple,
		"mail.example.com":       "",
		"notoutlook.com.example": "",
		"":                       "",
	} {
		if got := ProviderOf(host); got != want {
			t.Errorf("ProviderOf(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestProviderOfGreeting(t *testing.T) {
	// Exchange Online names its server in the greeting, base64 of UTF-16LE: MN2PR07CA0012.namprd07.prod.outlook.com.
	online := "* OK The Microsoft Exchange IMAP4 service is ready. [TQBOADIAUABSADAANwBDAEEAMAAwADEAMgAuAG4AYQBtAHAAcgBkADAANwAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]"
	if got := ProviderOfGreeting(online); got != ProviderMicrosoft {
		t.Errorf("Exchange Online greeting: %q", got)
	}
	for _, g := range []string{
		"* OK The Microsoft Exchange IMAP4 service is ready.", // on-premises: the same words, no server name
		"* OK The Microsoft Exchange IMAP4 service is ready. [bm90IGJhc2U2NCBvZiBVVEYtMTY=]",
		"* OK [CAPABILITY IMAP4rev1] Dovecot ready.",
	} {
		if got := ProviderOfGreeting(g); got != "" {
			t.Errorf("ProviderOfGreeting(%q) = %q, want none", g, got)
		}
	}
}

func TestProviderInText(t *testing.T) {
	for text, want := range map[string]string{
		"host mta6.am0.yahoodns.net[74.6.137.64] said: 553 5.7.2 [TSS06]":             ProviderYahoo,
		"535 5.7.8 https://support.google.com/mail/?p=BadCredentials x - gsmtp":       ProviderGoogle,
		"550 5.1.1 <bob@gmail.com>: Recipient address rejected: User unknown":         "", // an address, not a server
		"relay=mx.yahoodns.net ... then outlook.office365.com refused":                "", // two providers decide nothing
		"Error login on [outlook.office365.com] with user [u] auth [LOGIN]: NO LOGIN": ProviderMicrosoft,
	} {
		if got := ProviderInText(text); got != want {
			t.Errorf("ProviderInText(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestProviderMeaning(t *testing.T) {
	cases := []struct {
		refusal     ServerRefusal
		want        string
		namesPolicy bool
	}{
		{ServerRefusal{Problem: AuthFailed, Host: "outlook.office365.com", Protocol: "imap"}, AuthBasicDisabled, true},
		{ServerRefusal{Problem: AuthFailed, Host: "outlook.office365.com", Protocol: "pop3"}, AuthBasicDisabled, true},
		// SMTP AUTH can still be enabled per mailbox; 5.7.139 says when it is not.
		{ServerRefusal{Problem: AuthFailed, Host: "smtp.office365.com", Protocol: "smtp"}, AuthFailed, false},
		{ServerRefusal{Problem: AuthFailed, Host: "imap.example.com", Protocol: "imap"}, AuthFailed, false},
		{ServerRefusal{Problem: AuthFailed, Host: "imap.mail.me.com", Protocol: "imap"}, AuthAppPassword, true},
		{ServerRefusal{Problem: AuthTemporary, Host: "outlook.office365.com", Protocol: "imap"}, AuthTemporary, false},
	}
	for _, c := range cases {
		got, cause := ProviderMeaning(c.refusal)
		if got != c.want || (cause != "") != c.namesPolicy {
			t.Errorf("ProviderMeaning(%+v) = %q, %q; want %q (policy named: %v)", c.refusal, got, cause, c.want, c.namesPolicy)
		}
	}
	for _, r := range providerRules {
		if _, ok := Lookup(r.Problem); !ok || len(r.Causes) < 2 {
			t.Errorf("rule for %v: unknown problem %q or fewer than two causes (the policy and the generic reading)", r.Providers, r.Problem)
		}
		for _, id := range r.Providers {
			if ProviderName(id) == "" {
				t.Errorf("rule names unknown provider %q", id)
			}
		}
	}
}

func TestMatchServerTextPrefersTheLongestPhrase(t *testing.T) {
	cases := map[string]string{
		"553 5.7.1 <ceo@a.test>: Sender address rejected: not owned by user alice@a.test":         SenderNotPermitted,
		"452 4.2.2 <x@a.test>: Recipient address rejected: Quota exceeded (mailbox is full)":      MailboxFull,
		"450 4.2.0 <x@a.test>: Recipient address rejected: Greylisted, see http://x/greylist":     ServerTemporary,
		"550 5.4.5 Daily user sending quota exceeded. x - gsmtp":                                  SendingLimit,
		"554 5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied": SenderNotPermitted,
		"250 OK": "",
	}
	for text, want := range cases {
		if got := MatchServerText(text); got != want {
			t.Errorf("MatchServerText(%q) = %q, want %q", text, got, want)
		}
	}
}
