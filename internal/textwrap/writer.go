package textwrap

import (
	"bytes"
	"io"
	"strings"
)

// NewWriter is w with every complete line wider than width wrapped at word boundaries, continuation lines
// indented under the text they continue (HangingIndent). width <= 0 is w itself: output for a pipe
// or a file is not wrapped, so scripts read one line per item.
func NewWriter(w io.Writer, width int) io.Writer {
	if width <= 0 {
		return w
	}
	return &lineWrapper{w: w, width: width}
}

type lineWrapper struct {
	w     io.Writer
	width int
}

// Write wraps the complete lines of b; a last line without its newline is written as it is (the text
// renderers end every line).
func (l *lineWrapper) Write(b []byte) (int, error) {
	var out bytes.Buffer
	rest := b
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			out.Write(rest)
			break
		}
		line := string(rest[:i])
		rest = rest[i+1:]
		out.WriteString(strings.Join(Wrap(line, l.width, HangingIndent(line)), "\n"))
		out.WriteByte('\n')
	}
	if _, err := l.w.Write(out.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}
