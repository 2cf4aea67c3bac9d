package probe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mailcheck/mailcheck/probe/catalog"
	"github.com/mailcheck/mailcheck/probe/session"
)

// OAuthProvider is an identity provider `mailcheck oauth` can get a mail token from.
type OAuthProvider struct {
	// Name is "microsoft" or "google".
	Name string
	// Endpoint is the device authorization and token endpoints; Microsoft's contain TENANT.
	Endpoint oauth2.Endpoint
	// Scopes are what the token must grant for IMAP, POP3 and SMTP.
	Scopes []string
	// NeedsSecret says the provider wants the client secret of the registration in the token request.
	NeedsSecret bool
}

// OAuthProviders are the providers and the scopes they document:
//   - Microsoft identity platform, device code flow (https://learn.microsoft.com/entra/identity-platform/
//     v2-oauth2-device-code) with the Exchange Online scopes of "Authenticate an IMAP, POP or SMTP connection
//     using OAuth" and offline_access;
//   - Google, OAuth 2.0 for TV and limited-input devices (https://developers.google.com/identity/protocols/
//     oauth2/limited-input-device) with the one Gmail scope for IMAP, POP and SMTP.
var OAuthProviders = map[string]OAuthProvider{
	"microsoft": {
		Name: "microsoft",
		Endpoint: oauth2.Endpoint{
			DeviceAuthURL: "https://login.microsoftonline.com/TENANT/oauth2/v2.0/devicecode",
			TokenURL:      "https://login.microsoftonline.com/TENANT/oauth2/v2.0/token",
			AuthStyle:     oauth2.AuthStyleInParams,
		},
		Scopes: []string{"https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/POP.AccessAsUser.All",
			"https://outlook.office.com/SMTP.Send", "offline_access"},
	},
	"google": {
		Name: "google",
		Endpoint: oauth2.Endpoint{
			DeviceAuthURL: "https://oauth2.googleapis.com/device/code",
			TokenURL:      "https://oauth2.googleapis.com/token",
			AuthStyle:     oauth2.AuthStyleInParams,
		},
		Scopes:      []string{googleMailScope},
		NeedsSecret: true,
	},
}

// DeviceLoginRequest is one run of the device authorization grant (RFC 8628).
type DeviceLoginRequest struct {
	Provider OAuthProvider
	// User is the address the token is for; the user is told to sign in as it, and a token whose claims
	// name another account is refused.
	User         string
	ClientID     string
	ClientSecret string
	// Tenant replaces TENANT in Microsoft's endpoints: "common", "organizations", a domain or a tenant ID.
	Tenant string
	// HTTPClient makes the requests; nil means a client that only speaks HTTPS.
	HTTPClient *http.Client
	// Prompt shows the user where to go and what code to enter.
	Prompt func(verificationURL, userCode string)
}

// DeviceToken is what a device login obtained.
type DeviceToken struct {
	AccessToken string
	Expiry      time.Time
	// Scopes are the scopes granted, when the provider says.
	Scopes []string
}

// DeviceLoginError is a failed sign-in, classified into a problem code when the provider's words are known.
type DeviceLoginError struct {
	// Problem is the classified failure; its Detail is the provider's error text.
	Problem Problem
}

func (e *DeviceLoginError) Error() string { return e.Problem.Summary }

// DeviceLogin runs the device authorization grant: asks for a device code, prompts the user, and polls
// the token endpoint until the user signed in, declined, or the code expired.
func DeviceLogin(ctx context.Context, req DeviceLoginRequest) (*DeviceToken, error) {
	ep := req.Provider.Endpoint
	tenant := req.Tenant
	if tenant == "" {
		tenant = "common"
	}
	tenant = url.PathEscape(tenant)
	ep.DeviceAuthURL = strings.ReplaceAll(ep.DeviceAuthURL, "TENANT", tenant)
	ep.TokenURL = strings.ReplaceAll(ep.TokenURL, "TENANT", tenant)
	cfg := &oauth2.Config{ClientID: req.ClientID, ClientSecret: req.ClientSecret, Endpoint: ep, Scopes: req.Provider.Scopes}
	client := req.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if r.URL.Scheme != "https" {
				return errors.New("redirect to a non-HTTPS address refused")
			}
			return nil
		}}
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	da, err := cfg.DeviceAuth(ctx)
	if err != nil {
		return nil, deviceLoginError("the device code request to "+req.Provider.Name, err)
	}
	verify := da.VerificationURIComplete
	if verify == "" {
		verify = da.VerificationURI
	}
	req.Prompt(session.Printable(verify), session.Printable(da.UserCode))
	tok, err := cfg.DeviceAccessToken(ctx, da)
	if err != nil {
		return nil, deviceLoginError("the sign-in at "+req.Provider.Name, err)
	}
	out := &DeviceToken{AccessToken: tok.AccessToken, Expiry: tok.Expiry}
	if s, ok := tok.Extra("scope").(string); ok {
		out.Scopes = strings.Fields(session.Printable(s))
	}
	if claims := readTokenClaims(tok.AccessToken); claims != nil && claims.user() != "" && req.User != "" &&
		!strings.EqualFold(claims.user(), req.User) {
		return nil, &DeviceLoginError{Problem: newProblem(catalog.OAuthWrongAccount, fmt.Sprintf(
			"the token is for %s, not %s: sign in as %s", session.Printable(claims.user()), req.User, req.User), "")}
	}
	return out, nil
}

// deviceLoginError classifies a failed request by the provider's error code and text (AADSTS numbers).
func deviceLoginError(what string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return &DeviceLoginError{Problem: newProblem(catalog.TimeLimit, what+" did not finish before the code expired; run the command again", "")}
		}
		// Connection, TLS and DNS failures, classified as for a mail server.
		return &DeviceLoginError{Problem: newProblem(classify(err, false), what+" failed: "+session.Printable(err.Error()), "")}
	}
	text := session.Printable(strings.TrimSpace(re.ErrorCode + ": " + re.ErrorDescription))
	code := catalog.MatchServerText(text)
	switch {
	case code != "":
	case re.ErrorCode == "invalid_scope":
		code = catalog.OAuthScope
	case re.ErrorCode == "expired_token":
		return &DeviceLoginError{Problem: newProblem(catalog.TimeLimit, what+" was not completed before the code expired; run the command again", text)}
	case re.ErrorCode == "access_denied":
		return &DeviceLoginError{Problem: newProblem(catalog.UserCancelled, what+" was declined", text)}
	default:
		code = catalog.OAuthConsent // invalid_client, unauthorized_client: the registration is the cause
	}
	return &DeviceLoginError{Problem: newProblem(code, what+" failed: "+text, text)}
}
