package catalog

// OAuth2 (modern authentication) problems: why an access token was refused on IMAP, POP3 or SMTP, and
// why getting one failed. They are kept together here; problems.go and codes.go append them.
const (
	OAuthTokenExpired     = "oauth_token_expired"
	OAuthTokenRejected    = "oauth_token_rejected"
	OAuthScope            = "oauth_scope_missing"
	OAuthWrongAccount     = "oauth_wrong_account"
	OAuthConsent          = "oauth_consent_required"
	OAuthProtocolDisabled = "oauth_protocol_disabled"
	OAuthSMTPAuthDisabled = "oauth_smtp_auth_disabled"
)

var oauthProblems = []Problem{
	{OAuthTokenExpired, Fail, "OAuth2 access token expired or revoked",
		"The server refused the access token as no longer valid (RFC 6750 'invalid_token'). Access tokens live about an hour; a revoked grant, a changed password or a token for another server ends them too.",
		"Get a fresh token (`mailcheck oauth microsoft|google --user ADDRESS`, or the refresh step of the program that issued it) and test again; a mail program must refresh its token by itself.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{OAuthTokenRejected, Fail, "OAuth2 access token refused",
		"The server refused the access token without saying why. Usual causes: the token expired, it was issued for another user or service, it lacks the mail scope, or the mailbox does not allow this protocol.",
		"Get a fresh token for exactly this address with the mail scopes (`mailcheck oauth ...`); if that fails too, ask the administrator whether IMAP/POP/SMTP access is enabled for the mailbox.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{OAuthScope, Fail, "OAuth2 token lacks the mail scope",
		"The access token does not grant access to this protocol (RFC 6750 'insufficient_scope'): Microsoft needs IMAP.AccessAsUser.All, POP.AccessAsUser.All or SMTP.Send on https://outlook.office.com, Google needs https://mail.google.com/.",
		"Request the token again with the scope for this protocol (`mailcheck oauth` asks for all of them); the application registration must list these API permissions.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{OAuthWrongAccount, Fail, "OAuth2 token for another account or service",
		"The access token belongs to another user than the one logging in, or was issued for another resource (audience) than the mail server, for example a Microsoft Graph token used on outlook.office365.com.",
		"Sign in as the mailbox's own user when getting the token, and request the mail scopes of the mail server's resource (Microsoft: https://outlook.office.com/...).",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{OAuthConsent, Fail, "Application not consented or not registered",
		"The identity provider refused to issue a token for this application: it is not registered in the tenant, or the user or the tenant administrator has not consented to the mail permissions it asks for.",
		"The tenant administrator grants consent to the application for IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send and offline_access (Entra ID: Enterprise applications, Permissions, 'Grant admin consent'), or register an application of your own and pass its --client-id.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{OAuthProtocolDisabled, Fail, "Protocol switched off for this mailbox",
		"The token was accepted but the mailbox may not use this protocol: IMAP or POP access is disabled for the user (Microsoft 365: per-mailbox protocol settings; Gmail: IMAP access setting).",
		"Have the administrator enable IMAP or POP for the mailbox (Exchange Online: Set-CASMailbox -ImapEnabled $true / -PopEnabled $true; Gmail: Settings, Forwarding and POP/IMAP), then test again.",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
	{OAuthSMTPAuthDisabled, Fail, "SMTP AUTH switched off for the tenant or mailbox",
		"Microsoft 365 refused the SMTP login because authenticated SMTP (SMTP AUTH) is disabled for the tenant or the mailbox. This blocks OAuth2 logins to smtp.office365.com as well as passwords.",
		"The Microsoft 365 administrator enables SMTP AUTH for this mailbox (Set-CASMailbox -SmtpClientAuthenticationDisabled $false) or for the tenant (Set-TransportConfig -SmtpClientAuthenticationDisabled $false).",
		Attributes{Area: AreaLogin, JudgesCredentials: true}},
}

// oauthCodes are the texts users paste from OAuth2 failures: identity-provider errors from the sign-in
// (Microsoft Entra AADSTS numbers, documented at https://learn.microsoft.com/entra/identity-platform/
// reference-error-codes) and mail servers' refusals of a token.
var oauthCodes = []Code{
	{Kind: KindProvider, Code: "oauth-invalid-token", Name: "OAuth2 error challenge: invalid_token", Problem: OAuthTokenExpired, Confidence: "A",
		Meaning: "The server's error challenge (RFC 7628 section 3.2.2) says the token is not valid: expired, revoked or malformed.",
		Causes:  []string{"The access token is older than its lifetime (about an hour).", "The grant was revoked or the user's password changed."},
		Match:   []string{`"status":"invalid_token"`, `"status": "invalid_token"`}},
	{Kind: KindProvider, Code: "oauth-insufficient-scope", Name: "OAuth2 error challenge: insufficient_scope", Problem: OAuthScope, Confidence: "A",
		Meaning: "The server's error challenge (RFC 7628, RFC 6750 section 3.1) says the token lacks the scope this access needs.",
		Causes:  []string{"The token was requested without the mail scopes."},
		Match:   []string{`"status":"insufficient_scope"`, `"status": "insufficient_scope"`}},
	{Kind: KindProvider, Code: "xoauth2-status-401", Name: "XOAUTH2 error challenge: status 401", Problem: OAuthTokenExpired, Confidence: "B",
		Meaning: "Gmail's XOAUTH2 error challenge with HTTP status 401: the access token is not valid (usually expired).",
		Causes:  []string{"The access token expired.", "The token was issued for another account or without https://mail.google.com/."},
		Match:   []string{`"status":"401"`, `"status": "401"`}},
	{Kind: KindProvider, Code: "microsoft-not-connected", Name: "Microsoft: user is authenticated but not connected", Problem: OAuthProtocolDisabled, Also: []string{OAuthWrongAccount}, Confidence: "B",
		Meaning: "Exchange Online accepted the token but will not open the mailbox over IMAP or POP.",
		Causes:  []string{"IMAP or POP is disabled for the mailbox.", "The token belongs to another user than the mailbox, or the application's service principal has no mailbox permission."},
		Match:   []string{"User is authenticated but not connected"}},
	{Kind: KindProvider, Code: "gmail-imap-disabled", Name: "Gmail: account not enabled for IMAP", Problem: OAuthProtocolDisabled, Confidence: "B",
		Meaning: "Gmail refuses IMAP because IMAP access is switched off in the account's settings.",
		Causes:  []string{"IMAP access is off in Gmail's settings.", "The Workspace administrator disabled IMAP for the organisation."},
		Match:   []string{"not enabled for IMAP use"}},
	{Kind: KindProvider, Code: "aadsts65001", Name: "Microsoft Entra AADSTS65001: consent required", Problem: OAuthConsent, Confidence: "A",
		Meaning: "The user or administrator has not consented to the application using the requested permissions.",
		Causes:  []string{"The tenant requires administrator consent for mail permissions.", "The application asks for a scope nobody approved."},
		Match:   []string{"AADSTS65001"}},
	{Kind: KindProvider, Code: "aadsts700016", Name: "Microsoft Entra AADSTS700016: application not found in the directory", Problem: OAuthConsent, Confidence: "A",
		Meaning: "The client ID is not registered in this tenant, or the application was never consented there.",
		Causes:  []string{"A wrong client ID or tenant was given.", "The application is registered in another tenant and not enabled for this one."},
		Match:   []string{"AADSTS700016"}},
	{Kind: KindProvider, Code: "aadsts7000218", Name: "Microsoft Entra AADSTS7000218: public client flows not allowed", Problem: OAuthConsent, Confidence: "A",
		Meaning: "The application registration does not allow public client flows, which the device code sign-in needs.",
		Causes:  []string{"'Allow public client flows' is off in the application's Authentication settings."},
		Match:   []string{"AADSTS7000218"}},
	{Kind: KindProvider, Code: "aadsts70011", Name: "Microsoft Entra AADSTS70011: invalid scope", Problem: OAuthScope, Confidence: "A",
		Meaning: "The scope asked for is not valid for this application or resource.",
		Causes:  []string{"The scope is misspelt or belongs to another resource than Exchange Online."},
		Match:   []string{"AADSTS70011"}},
	{Kind: KindProvider, Code: "aadsts50020", Name: "Microsoft Entra AADSTS50020: user not in tenant", Problem: OAuthWrongAccount, Confidence: "A",
		Meaning: "The signed-in user's account does not exist in the tenant the sign-in used.",
		Causes:  []string{"The sign-in used another tenant than the mailbox's (--tenant).", "A personal Microsoft account was used for a work mailbox, or the other way round."},
		Match:   []string{"AADSTS50020"}},
	{Kind: KindProvider, Code: "aadsts700082", Name: "Microsoft Entra AADSTS700082: refresh token expired", Problem: OAuthTokenExpired, Confidence: "A",
		Meaning: "The refresh token expired because it was not used for a long time; a new sign-in is needed.",
		Causes:  []string{"The program did not refresh its token for 90 days."},
		Match:   []string{"AADSTS700082"}},
}
