package report

import (
	"encoding/json"
	"io"
)

// JSON writes v as indented JSON followed by a newline. Field names are the stable API documented in the
// README; HTML escaping is off so that server replies stay readable.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
