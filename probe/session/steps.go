package session

// The steps of a conversation, as Conversation.OnStep names them (probe.Event shows them).
const (
	StepConnect      = "connect"
	StepTLS          = "TLS handshake"
	StepGreeting     = "greeting"
	StepCapabilities = "capabilities"
	StepSTARTTLS     = "STARTTLS"
	// StepTLSCheck is the TLS handshake asked on a second connection when a port in clear text is slow to
	// greet, to see whether it expects SSL/TLS (tlsquestion.go). It runs inside the greeting's step and
	// ends with it: a silent plain port costs one step timeout.
	StepTLSCheck = "TLS check"
)
