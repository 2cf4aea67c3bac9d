package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
)

// The OAuth2 SASL mechanisms the sandbox offers when its World has Tokens.
const (
	mechXOAUTH2     = "XOAUTH2"
	mechOAUTHBEARER = sasl.OAuthBearer
)

// Token is an OAuth2 access token the sandbox accepts: tests mint the token string and say what it
// grants. The sandbox never checks a signature; it looks the string up.
type Token struct {
	// User is the login the token belongs to.
	User string
	// Scopes are what it grants, Microsoft's names: "IMAP.AccessAsUser.All", "POP.AccessAsUser.All",
	// "SMTP.Send".
	Scopes []string
	// Expired makes the sandbox refuse it as invalid_token.
	Expired bool
}

// protoScope is the scope each protocol needs.
var protoScope = map[Proto]string{ProtoIMAP: "IMAP.AccessAsUser.All", ProtoPOP3: "POP.AccessAsUser.All", ProtoSMTP: "SMTP.Send"}

// oauthMechanisms are offered when the World has tokens.
func (s *Sandbox) oauthMechanisms() []string {
	if len(s.World.Tokens) == 0 {
		return nil
	}
	return []string{mechXOAUTH2, mechOAUTHBEARER}
}

// checkToken says why a token login is refused, as an RFC 6750 error code, or "" when it is accepted.
func (s *Sandbox) checkToken(proto Proto, user, token string) string {
	t, ok := s.World.Tokens[token]
	switch {
	case !ok, t.Expired, !strings.EqualFold(t.User, user):
		return "invalid_token"
	}
	for _, sc := range t.Scopes {
		if strings.EqualFold(sc, protoScope[proto]) {
			return ""
		}
	}
	return "insufficient_scope"
}

// oauthServer is the server side of XOAUTH2 and OAUTHBEARER for every sandbox protocol. A refused token
// gets the JSON error challenge first (RFC 7628 section 3.2.2; Gmail's XOAUTH2 sends the same object with
// HTTP status "401"), and the protocol's refusal only after the client's dummy response.
type oauthServer struct {
	sb    *Sandbox
	ep    *endpoint
	proto Proto
	mech  string
	// refuse is the protocol's final refusal; accept logs the user in.
	refuse error
	accept func(user string) error
	failed bool
}

func (s *Sandbox) newOAuthServer(ep *endpoint, proto Proto, mech string, refuse error, accept func(user string) error) sasl.Server {
	return &oauthServer{sb: s, ep: ep, proto: proto, mech: strings.ToUpper(mech), refuse: refuse, accept: accept}
}

func (o *oauthServer) Next(response []byte) ([]byte, bool, error) {
	if o.failed {
		return nil, true, o.refuse
	}
	if response == nil {
		return []byte{}, false, nil // no initial response: ask for it with an empty challenge
	}
	user, token, ok := parseOAuthResponse(o.mech, response)
	status := "invalid_request"
	if ok {
		o.sb.heard(o.ep, o.proto, token)
		status = o.sb.checkToken(o.proto, user, token)
	}
	if status == "" {
		return nil, true, o.accept(strings.ToLower(user))
	}
	o.failed = true
	challenge := map[string]string{"status": status, "schemes": "bearer", "scope": protoScope[o.proto]}
	if o.mech == mechXOAUTH2 {
		challenge["status"] = "401"
	}
	b, _ := json.Marshal(challenge)
	return b, false, nil
}

// parseOAuthResponse reads the user and token of an XOAUTH2 ("user=U^Aauth=Bearer T^A^A") or OAUTHBEARER
// ("n,a=U,^Aauth=Bearer T^A^A", RFC 7628 section 3.1) client response.
func parseOAuthResponse(mech string, b []byte) (user, token string, ok bool) {
	var fields [][]byte
	if mech == mechOAUTHBEARER {
		gs2, rest, found := bytes.Cut(b, []byte{0x01})
		if !found || !bytes.HasPrefix(gs2, []byte("n,")) {
			return "", "", false
		}
		for _, f := range bytes.Split(gs2[2:], []byte{','}) {
			if a, has := bytes.CutPrefix(f, []byte("a=")); has {
				user = string(a)
			}
		}
		fields = bytes.Split(rest, []byte{0x01})
	} else {
		fields = bytes.Split(b, []byte{0x01})
	}
	for _, f := range fields {
		k, v, _ := strings.Cut(string(f), "=")
		switch k {
		case "user":
			user = v
		case "auth":
			if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
				token = v[7:]
			}
		}
	}
	return user, token, user != "" && token != ""
}

// errPOP3Refused stands for the -ERR the POP3 server sends after a refused token.
var errPOP3Refused = errors.New(pop3AuthFailed)

// authOAuth runs AUTH XOAUTH2 or OAUTHBEARER on POP3 (RFC 5034): with or without an initial response, an
// error challenge as "+ base64", and the verdict after the client's dummy response.
func (p *pop3Conn) authOAuth(mech, ir string, hasIR bool) bool {
	var user string
	srv := p.sb.newOAuthServer(p.ep, ProtoPOP3, mech, errPOP3Refused, func(u string) error { user = u; return nil })
	var resp []byte
	if hasIR && ir != "=" {
		var err error
		if resp, err = base64.StdEncoding.DecodeString(ir); err != nil {
			return p.reply("-ERR Invalid base64 data in initial response.")
		}
	} else if hasIR {
		resp = []byte{}
	}
	for {
		challenge, done, err := srv.Next(resp)
		if err != nil {
			return p.reply(pop3AuthFailed)
		}
		if done {
			return p.loggedIn(user)
		}
		line, stop, result := p.askContinued(base64.StdEncoding.EncodeToString(challenge))
		if stop {
			return result
		}
		if resp, err = base64.StdEncoding.DecodeString(line); err != nil {
			return p.reply("-ERR Invalid base64 data in continued response.")
		}
	}
}
