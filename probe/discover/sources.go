package discover

// Source names of the DNS and probe-side sources (the HTTP ones are in discover.go), as they appear in an
// endpoint's "source".
const (
	// Explicit is an endpoint URL the user typed.
	Explicit = "explicit"
	// SRV is an RFC 6186/8314 SRV record of the domain.
	SRV = "srv"
	// Guess is a host name mail clients guess (imap., mail., smtp. ...).
	Guess = "guess"
	// CertName is the name on the certificate of an endpoint that presented one for another host (shared
	// hosting: mail.customer.example answers with server123.host.example's certificate). It is probed with
	// the same protocol and port and offered when it works, labelled as such.
	CertName = "cert_name"
	// MX is a host of the domain's MX records: an inbound relay that often also answers on the client ports.
	MX = "mx"
)

// SourceInfo is everything mailcheck knows about one discovery source, in one row: how far it is trusted,
// who may receive secrets through it, and how the report words it.
type SourceInfo struct {
	// Name is the source's name (the constants above and in discover.go).
	Name string
	// Forgeable: what the source lists could have been written by anyone on the network path or by
	// whoever forges the DNS answer that led to a file (plain http, an unauthenticated redirect or SRV
	// record, a provider file reached through the MX answer). The login names it gives are not used.
	Forgeable bool
	// VouchesOutside: the hosts it names may receive the password or token even outside the domain
	// (typed by the user, verified HTTPS at the domain's own names, or Mozilla's curated ISPDB on its own
	// fixed host). README "Who receives your password or token".
	VouchesOutside bool
	// SpeaksForProvider: the source gives a provider's settings, so a server it names outside the domain
	// is labelled with the provider.
	SpeaksForProvider bool
	// Label says in words where an answer of the source came from, for problem summaries.
	Label string
	// ForgedBy says how a source that vouches for nothing outside the domain could be forged, for the
	// refusals and warnings ("" for a source that vouches).
	ForgedBy string
	// PublishedIn says where a recommended setting of this source comes from ("published in SRV").
	PublishedIn string
	// NamedBy is the source in a few words, for "also named by ...".
	NamedBy string
}

// Sources is the registry of discovery sources, most authoritative first: a source's place here is its
// rank. A mail client trusts them in this order (Thunderbird: a configuration the domain publishes wins
// outright over anything guessed): what the user typed, the domain's own autoconfig file, its SRV
// records, then Autodiscover, Mozilla's ISPDB and the MX provider's ISPDB entry (which speak for a
// provider, not for the domain), the names clients guess, and last the MX hosts. The provider's own file
// comes after the names inside the domain: the MX answer that leads to it can be forged, so it must never
// outrank a server of the domain itself. The forgeable HTTP sources rank last, so an endpoint they name
// keeps the source of any other that names it too.
//
// Adding a source is declaring its name in a const block commented "Source names ..." (in its own file)
// and adding its row here: TestEverySourceHasARow fails on a declared name without a row and on a row
// without a declared name.
var Sources = []SourceInfo{
	{Name: Explicit, VouchesOutside: true, // typed by the user
		Label: "the command line", PublishedIn: "as given", NamedBy: "the command line"},
	{Name: Autoconfig, VouchesOutside: true, // verified HTTPS at the domain's own names
		Label: "the domain's autoconfig file", PublishedIn: "published in the domain's autoconfig file", NamedBy: "the autoconfig file"},
	{Name: SRV, // RFC 6186 section 6 asks clients to confirm what only DNS names
		Label: "the domain's SRV records", ForgedBy: "the domain's SRV records", PublishedIn: "published in SRV", NamedBy: "SRV"},
	{Name: Autodiscover, VouchesOutside: true, SpeaksForProvider: true, // verified HTTPS at the domain's own names
		Label: "the domain's Autodiscover answer", PublishedIn: "published in the domain's Autodiscover answer", NamedBy: "Autodiscover"},
	{Name: ISPDB, VouchesOutside: true, SpeaksForProvider: true, // curated, fetched from its own fixed host
		Label: "Mozilla's ISPDB", PublishedIn: "from Mozilla's ISPDB", NamedBy: "the ISPDB"},
	{Name: Provider, VouchesOutside: true, SpeaksForProvider: true, // the ISPDB entry of the MX host's provider: curated, fixed host
		Label: "the MX provider's ISPDB entry", PublishedIn: "from Mozilla's ISPDB entry of the provider of the domain's MX host", NamedBy: "the MX provider's ISPDB entry"},
	{Name: Guess, // always inside the domain anyway
		Label: "the usual host names", ForgedBy: "a guessed name", PublishedIn: "guessed (the name mail clients try)", NamedBy: "the guessed names"},
	{Name: CertName,
		Label: "the name on a server's certificate", ForgedBy: "the name on a server's certificate",
		PublishedIn: "the name on the server's certificate: the name you were given has a certificate for this one", NamedBy: "a server's certificate"},
	{Name: ProviderAutoconfig, Forgeable: true, SpeaksForProvider: true, // the forgeable MX answer chose its host
		Label:       "the MX provider's own autoconfig file, reached through the domain's MX record (forgeable)",
		ForgedBy:    "a file reached through the domain's MX record",
		PublishedIn: "from the autoconfig file of the MX host's domain (the MX record that leads there can be forged: the password is not sent)",
		NamedBy:     "the MX host's autoconfig file"},
	{Name: MX,
		Label: "the domain's MX records", ForgedBy: "the domain's MX record",
		PublishedIn: "the domain's MX host: nothing published or guessed works, so only this inbound mail server is left", NamedBy: "the MX records"},
	{Name: AutoconfigHTTP, Forgeable: true,
		Label: "the domain's autoconfig file fetched over plain http (forgeable)", ForgedBy: "a file fetched over plain http",
		PublishedIn: "from the autoconfig file over plain http (forgeable: the password is not sent)", NamedBy: "the autoconfig file over http"},
	{Name: AutodiscoverRedirected, Forgeable: true, SpeaksForProvider: true,
		Label:       "an Autodiscover answer reached through http or SRV (forgeable)",
		ForgedBy:    "an Autodiscover answer reached through http or an SRV record",
		PublishedIn: "from an Autodiscover answer reached without verification (forgeable: the password is not sent)",
		NamedBy:     "an unverified Autodiscover answer"},
}

var sourceIndex = func() map[string]int {
	m := make(map[string]int, len(Sources))
	for i, s := range Sources {
		m[s.Name] = i
	}
	return m
}()

// Source returns a source's registry row, and false for a name the registry does not know.
func Source(name string) (SourceInfo, bool) {
	i, ok := sourceIndex[name]
	if !ok {
		return SourceInfo{}, false
	}
	return Sources[i], true
}

// Rank is a source's place in Sources, lower is more authoritative. An unknown name ranks after every
// known source: a source without a row is trusted least, never like one the user typed.
func Rank(name string) int {
	if i, ok := sourceIndex[name]; ok {
		return i
	}
	return len(Sources)
}

// Forgeable says whether what a source lists could have been forged (SourceInfo.Forgeable). Servers only
// such a source names are probed but never sent the password or token outside the domain, and the login
// names it gives are not used. An unknown source is forgeable.
func Forgeable(source string) bool {
	s, ok := Source(source)
	return !ok || s.Forgeable
}
