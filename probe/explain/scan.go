package explain

import (
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/mailcheck/mailcheck/probe/catalog"
)

// found is one catalogue entry recognised in the text.
type found struct {
	code catalog.Code
	// seen is the code as it appeared, canonicalised ("5.1.1" for the entry X.1.1).
	seen string
	// why quotes the text that identified it.
	why string
	// pos and span locate it; a longer span is a more specific identification.
	pos, span int
}

// Patterns for numbers in pasted text. Bare numbers are ambiguous: three digits are an SMTP reply, five
// digits from 10000 to 11999 a Winsock error, eight hex digits starting 800C or 8004 an Outlook HRESULT.
var (
	outlookNumber = regexp.MustCompile(`(?i)\b(?:0x)?(800c[0-9a-f]{4}|8004[0-9a-f]{4})\b`)
	winsockNumber = regexp.MustCompile(`\b(1[01]\d{3})\b`)
	symbolName    = regexp.MustCompile(`\b(WSA[A-Z_]{3,}|IXP_[ES]_[A-Z0-9_]+|MAPI_E_[A-Z_]+)\b`)
	// An SMTP reply code (RFC 5321 section 4.2: first digit 2-5, second 0-5), optionally followed by an
	// enhanced status code (RFC 3463) as in "535-5.7.8" or "550 5.1.1".
	replyCode     = regexp.MustCompile(`(?m)(?:^|[\s'"(=;:>─` + "`" + `])([2-5][0-5]\d)(?:([ -])#?([245]\.\d{1,3}\.\d{1,3})\b|([ -]|,\s*b?['"]|$))`)
	enhancedAlone = regexp.MustCompile(`(?m)(?:^|[\s'"(=;#])([245]\.\d{1,3}\.\d{1,3})\b`)
	bracketCode   = regexp.MustCompile(`\[([A-Za-z][A-Za-z0-9/-]*)[\] ]`)
	bareWord      = regexp.MustCompile(`^\[?([A-Za-z][A-Za-z0-9/-]*)\]?$`)
	labelBefore   = regexp.MustCompile(`(?i)(?:Socket Error|Server Error|Error Number|Error ID|reported error|Errno|WinError|error code|status|dsn)\s*[:=(\[]?\s*(?:0x)?$`)
	wordBefore    = regexp.MustCompile(`(?i)\b(error|code|reply|smtp|response|status)\s*$`)
)

// textPattern is a Match text of the catalogue with the entry it identifies.
type textPattern struct {
	code   catalog.Code
	phrase catalog.Phrase
}

var (
	patternsOnce sync.Once
	patterns     []textPattern
	symbols      map[string]catalog.Code
)

func compilePatterns() {
	symbols = map[string]catalog.Code{}
	for _, c := range catalog.Codes() {
		if c.Kind == catalog.KindOutlook || c.Kind == catalog.KindWinsock {
			if symbolName.MatchString(c.Name) {
				symbols[c.Name] = c
			}
		}
		for _, m := range c.Match {
			patterns = append(patterns, textPattern{code: c, phrase: catalog.CompilePhrase(m)})
		}
	}
}

// lowerASCII lowercases A-Z only, so that byte offsets into the lowercased text are offsets into the text.
func lowerASCII(s string) string { return catalog.LowerASCII(s) }

// scan finds every catalogued code in the text. f receives the numbers it reads (reply code, enhanced code,
// socket error, response codes) where the dialog did not state them. unknown collects code-shaped numbers
// the catalogue does not know.
func scan(text string, f *Fields) (hits []found, unknown []string) {
	patternsOnce.Do(compilePatterns)
	add := func(c catalog.Code, seen, why string, pos, span int) {
		hits = append(hits, found{code: c, seen: seen, why: strings.TrimSpace(why), pos: pos, span: span})
	}

	for _, m := range outlookNumber.FindAllStringSubmatchIndex(text, 20) {
		seen := "0x" + strings.ToUpper(text[m[2]:m[3]])
		if c, ok := catalog.LookupCode(catalog.KindOutlook, seen); ok {
			add(c, seen, labelled(text, m[0], m[1]), m[0], m[1]-m[0])
		} else {
			unknown = appendNew(unknown, seen)
		}
		setOnce(&f.ErrorNumber, seen)
	}

	for _, m := range winsockNumber.FindAllStringSubmatchIndex(text, 20) {
		if m[0] > 0 && (text[m[0]-1] == ':' || text[m[0]-1] == '.') || portBefore(text, m[0]) {
			continue
		}
		n := text[m[2]:m[3]]
		if c, ok := catalog.LookupCode(catalog.KindWinsock, n); ok {
			add(c, n, labelled(text, m[0], m[1]), m[0], m[1]-m[0])
			setOnce(&f.SocketError, n)
		}
	}

	for _, m := range symbolName.FindAllStringSubmatchIndex(text, 20) {
		if c, ok := symbols[text[m[2]:m[3]]]; ok {
			add(c, c.Code, text[m[2]:m[3]], m[2], m[3]-m[2])
		}
	}

	scanReplies(text, f, add)

	for _, m := range bracketCode.FindAllStringSubmatchIndex(text, 20) {
		word := strings.ToUpper(text[m[2]:m[3]])
		if c, ok := lookupResponseCode(word, text); ok {
			add(c, c.Code, "["+text[m[2]:m[3]]+"]", m[0], m[1]-m[0])
			f.ResponseCodes = appendNew(f.ResponseCodes, c.Code)
		}
	}
	if m := bareWord.FindStringSubmatch(text); m != nil {
		word := strings.ToUpper(m[1])
		if c, ok := lookupResponseCode(word, text); ok {
			add(c, c.Code, text, 0, len(text))
			f.ResponseCodes = appendNew(f.ResponseCodes, c.Code)
		} else if c, ok := symbols[word]; ok {
			add(c, c.Code, text, 0, len(text))
		}
	}

	lower := blankBoilerplate(lowerASCII(text))
	for _, p := range patterns {
		if start, end, ok := p.phrase.Find(lower); ok {
			add(p.code, p.code.Code, excerpt(text[start:end]), start, end-start)
		}
	}
	return hits, unknown
}

// boilerplate are sentences libraries print around the real error, listing every possibility: MailKit's
// SslHandshakeException names self-signed and expired certificates whatever happened. They are blanked
// before the catalogue's texts are searched, so that the inner exception ("The handshake failed due to an
// unexpected packet format", "unable to get certificate CRL") decides.
var boilerplate = []string{
	"the server is using a self-signed certificate which cannot be verified.",
	"the local system is missing a root or intermediate certificate needed to verify the server's certificate.",
	"a certificate authority crl server for one or more of the certificates in the chain is temporarily unavailable.",
	"the certificate presented by the server is expired or invalid.",
	"the set of ssl/tls protocols supported by the client and server do not match.",
	"one possibility is that you are trying to connect to a port which does not support ssl/tls.",
	"the other possibility is that the ssl certificate presented by the server is not trusted by the system for one or more of the following reasons:",
	"this usually means that the ssl certificate presented by the server is not trusted by the system for one or more of",
}

// blankBoilerplate replaces the boilerplate sentences in lowercased text with spaces of the same length,
// so that offsets into the text stay valid.
func blankBoilerplate(lower string) string {
	for _, b := range boilerplate {
		if strings.Contains(lower, b) {
			lower = strings.ReplaceAll(lower, b, strings.Repeat(" ", len(b)))
		}
	}
	return lower
}

// scanReplies finds SMTP reply codes and enhanced status codes. A three-digit number counts as a reply only
// where a reply stands: at the start of a line, after a colon, quote, bracket or "error"/"code", or followed
// by an enhanced code; never right after "port".
func scanReplies(text string, f *Fields, add func(catalog.Code, string, string, int, int)) {
	covered := map[int]bool{}
	for _, m := range replyCode.FindAllStringSubmatchIndex(text, 40) {
		start, end := m[2], m[3]
		code := text[start:end]
		hasEnhanced := m[6] >= 0
		if portBefore(text, start) {
			continue
		}
		if !hasEnhanced && !replyPosition(text, start) {
			continue
		}
		failing := code[0] == '4' || code[0] == '5'
		if failing || f.ReplyCode == "" {
			if f.ReplyCode == "" || (failing && f.ReplyCode[0] != '4' && f.ReplyCode[0] != '5') {
				f.ReplyCode = code
			}
		}
		if hasEnhanced {
			enh := text[m[6]:m[7]]
			why := text[start:m[7]]
			covered[m[6]] = true
			if c, ok := lookupEnhanced(enh, f.Provider); ok {
				add(c, enh, "server reply "+why, start, m[7]-start)
			}
			if failing || f.EnhancedCode == "" {
				if f.EnhancedCode == "" || (failing && f.EnhancedCode[0] == '2') {
					f.EnhancedCode = enh
				}
			}
		}
		if c, ok := catalog.LookupCode(catalog.KindSMTP, code); ok {
			add(c, code, "server reply "+code, start, len(code))
		}
	}
	for _, m := range enhancedAlone.FindAllStringSubmatchIndex(text, 40) {
		start, end := m[2], m[3]
		if covered[start] || !enhancedPosition(text, start, end) {
			continue
		}
		enh := text[start:end]
		if c, ok := lookupEnhanced(enh, f.Provider); ok {
			add(c, enh, labelled(text, start, end), start, end-start)
		}
		if f.EnhancedCode == "" || (enh[0] != '2' && f.EnhancedCode[0] == '2') {
			f.EnhancedCode = enh
		}
	}
}

// lookupEnhanced finds an enhanced status code's entry: the provider's own meaning when the paste comes
// from a provider that gives the code one (Gmail's 5.7.27 is SPF), else the registry's.
func lookupEnhanced(code, provider string) (catalog.Code, bool) {
	if c, ok := catalog.LookupProviderStatus(provider, code); ok {
		return c, true
	}
	return catalog.LookupCode(catalog.KindEnhanced, code)
}

// replyPosition says whether a bare three-digit number at i stands where a reply code stands.
func replyPosition(text string, i int) bool {
	lineStart := strings.LastIndexByte(text[:i], '\n') + 1
	before := strings.TrimRight(text[lineStart:i], " ")
	if strings.Trim(before, `'"<>*SC: └─`) == "" { // start of the line, maybe after "S: ", "<<< " or Nodemailer's "└──"
		return true
	}
	switch before[len(before)-1] {
	case ':', ';', '=', '(', '\'', '"', '>', '`':
		return true
	case '-': // "Invalid login - 535 …", not "id-535"
		return len(before) >= 2 && before[len(before)-2] == ' '
	}
	return wordBefore.MatchString(before)
}

// enhancedPosition says whether a.b.c at [start,end) is an enhanced status code rather than a version
// number ("Dovecot 2.3.19"): it must not continue with ".digit", and must stand at the start of a line, after
// a colon, quote, bracket, '#', ';' or '=' (bounce fields "Status: 5.1.1", qmail "(#5.7.1)", "dsn=5.7.26").
func enhancedPosition(text string, start, end int) bool {
	if end+1 < len(text) && text[end] == '.' && text[end+1] >= '0' && text[end+1] <= '9' {
		return false
	}
	lineStart := strings.LastIndexByte(text[:start], '\n') + 1
	before := strings.TrimRight(text[lineStart:start], " ")
	if before == "" {
		return true
	}
	switch before[len(before)-1] {
	case ':', ';', '=', '(', '\'', '"', '#':
		return true
	}
	return strings.HasSuffix(before, "b'")
}

// portBefore says whether the number at i follows the word "port" ("Port: 465", "port 587").
func portBefore(text string, i int) bool {
	from := i - 8
	if from < 0 {
		from = 0
	}
	before := strings.ToLower(strings.TrimRight(text[from:i], " :=\t"))
	return strings.HasSuffix(before, "port")
}

// lookupResponseCode finds an IMAP or POP3 response code. AUTH, SYS/TEMP, SYS/PERM, IN-USE and LOGIN-DELAY
// exist only in POP3; the rest only in IMAP.
func lookupResponseCode(word, text string) (catalog.Code, bool) {
	if c, ok := catalog.LookupCode(catalog.KindPOP3, word); ok {
		return c, true
	}
	return catalog.LookupCode(catalog.KindIMAP, word)
}

// labelled quotes a number together with the dialog label in front of it ("Socket Error: 11001").
func labelled(text string, start, end int) string {
	from := start - 24
	if from < 0 {
		from = 0
	}
	for from > 0 && !utf8RuneStart(text[from]) {
		from--
	}
	if loc := labelBefore.FindStringIndex(text[from:start]); loc != nil {
		label := text[from+loc[0] : end]
		if strings.Contains(label, "(") && end < len(text) && text[end] == ')' {
			label += ")"
		}
		return excerpt(label)
	}
	return text[start:end]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// excerpt shortens a quote to one readable line.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		cut := 77
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func appendNew(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// dedupe keeps one sighting of each catalogue entry: the longest (the most specific wording), then the
// earliest.
func dedupe(hits []found) []found {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].span != hits[j].span {
			return hits[i].span > hits[j].span
		}
		return hits[i].pos < hits[j].pos
	})
	seen := map[string]bool{}
	out := hits[:0]
	for _, h := range hits {
		key := string(h.code.Kind) + " " + h.code.Code
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].pos < out[j].pos })
	return out
}
