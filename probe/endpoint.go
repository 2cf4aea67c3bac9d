// Package probe discovers a domain's mail servers and probes them: TCP, greeting, capabilities, STARTTLS,
// certificates and logins. It never prints; results flow to package report.
package probe

import "github.com/mailcheck/mailcheck/probe/endpoint"

// The endpoint model lives in probe/endpoint, the lowest package, so that probe/discover can share it
// without importing probe; these names keep the rest of mailcheck reading as before.
type (
	Protocol = endpoint.Protocol
	Security = endpoint.Security
	Service  = endpoint.Service
	Endpoint = endpoint.Endpoint
	Traits   = endpoint.Traits
)

const (
	IMAP = endpoint.IMAP
	POP3 = endpoint.POP3
	SMTP = endpoint.SMTP

	Plain    = endpoint.Plain
	STARTTLS = endpoint.STARTTLS
	TLS      = endpoint.TLS
)

// Services is the one table of standard ports (see endpoint.Services).
var Services = endpoint.Services

// Protocols is the one table of protocol traits (see endpoint.Protocols).
var Protocols = endpoint.Protocols

var (
	ServiceByScheme = endpoint.ServiceByScheme
	TraitsOf        = endpoint.TraitsOf
	// ErrUnknownProtocol: a step asked to speak a protocol without a row in Protocols.
	ErrUnknownProtocol = endpoint.ErrUnknownProtocol
	ParseEndpoint      = endpoint.ParseEndpoint
	ValidateHost       = endpoint.ValidateHost
	ParseTarget        = endpoint.ParseTarget
	// ValidUser and ValidAddress are the one validator of login names and addresses (endpoint/validate.go).
	ValidUser    = endpoint.ValidUser
	ValidAddress = endpoint.ValidAddress
)
