package report

import (
	"strings"

	"github.com/mailcheck/mailcheck/probe"
)

// oauthMechanism says whether a login used an OAuth2 access token rather than a password.
func oauthMechanism(mech string) bool {
	return strings.EqualFold(mech, probe.MechXOAUTH2) || strings.EqualFold(mech, probe.MechOAUTHBEARER)
}

// sameLogin says what the outgoing server's login needs, as a mail client's outgoing settings ask it.
func sameLogin(s *probe.Setting) string {
	if oauthMechanism(s.LoginMechanism) {
		return "OAuth2 sign-in of the same account as incoming"
	}
	return "same user and password as incoming"
}
