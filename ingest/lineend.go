package ingest

import (
	"bytes"
	"io"
)

// Line ends (FORMATS.md §1). A line ends in LF, in CRLF, or in a CR alone;
// carriage returns just before an LF belong to the line end, so `\r\r\n`
// ends one line. A run of CRs that no LF follows is that many line ends:
// each CR ends a line, the ones after the first ending empty lines. The
// rule reads the bytes as they are, quotes or not: a line number is what a
// text editor shows, and a line break inside a quoted field is a line too
// (its bytes stay in the field as data).
//
// Most files hold no CR at all; the parser is told so by the block
// (parseRecord's crs) and then looks for LFs only, as fast as before.

// lineEnd finds the first line end in buf: the line is buf[:end], the next
// one starts at next, and buf[end:next] is the line end, runs of lone CRs
// that follow included: blanks is the number of empty lines those end.
// At EOF a last line without a line end has end == next == len(buf).
// ok=false when more input may change the answer (atEOF false): no line
// end yet, or a run of CRs reaching the end of buf, which an LF may
// follow.
//
// The search looks at a window that doubles, so that a file without LFs
// (CR line ends) is not searched to its end for each line.
func lineEnd(buf []byte, atEOF bool) (end, next, blanks int, ok bool) {
	for w := min(len(buf), 256); ; w = min(2*w, len(buf)) {
		win := buf[:w]
		lf := bytes.IndexByte(win, '\n')
		if lf >= 0 {
			win = win[:lf]
		}
		if cr := bytes.IndexByte(win, '\r'); cr >= 0 {
			next, blanks, ok = crRun(buf, cr, atEOF)
			return cr, next, blanks, ok
		}
		if lf >= 0 {
			return lf, lf + 1, 0, true
		}
		if w == len(buf) {
			return w, w, 0, atEOF
		}
	}
}

// crRun reads the line end that starts with the CR at buf[cr]: the CRs
// there and an LF after them are one line end; CRs that no LF follows end
// one line each, the later ones empty lines (blanks).
func crRun(buf []byte, cr int, atEOF bool) (next, blanks int, ok bool) {
	k := cr + 1
	for k < len(buf) && buf[k] == '\r' {
		k++
	}
	switch {
	case k < len(buf) && buf[k] == '\n':
		return k + 1, 0, true
	case k == len(buf) && !atEOF:
		return 0, 0, false
	}
	return k, k - cr - 1, true
}

// countLines returns the number of line ends in b; a run of CRs at the end
// of b counts as lone CRs (b is a whole record, or ends the file).
func countLines(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	for i := bytes.IndexByte(b, '\r'); i >= 0; {
		k := i + 1
		for k < len(b) && b[k] == '\r' {
			k++
		}
		if k == len(b) || b[k] != '\n' {
			n += k - i
		}
		j := bytes.IndexByte(b[k:], '\r')
		if j < 0 {
			break
		}
		i = k + j
	}
	return n
}

// endsLine reports whether b ends with a line end.
func endsLine(b []byte) bool {
	return len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r')
}

// lastLineEnd returns where the last line end in b ends, 0 when b holds
// none. final: b is the end of what has been read, so a run of CRs at its
// end, which an LF may follow, is not a line end yet; otherwise the byte
// after b is neither CR nor LF.
func lastLineEnd(b []byte, final bool) int {
	i := len(b) - 1
	if final {
		for i >= 0 && b[i] == '\r' {
			i--
		}
	}
	for ; i >= 0; i-- {
		if c := b[i]; c == '\n' || c == '\r' {
			return i + 1
		}
	}
	return 0
}

// NormalizeLineEnds returns text with every line end (LF, CRLF, CRs
// before an LF, or a CR alone: FORMATS.md §1) written as one LF, so that a
// reader splitting lines on LF (the rules file's) reads the lines a text
// editor shows. Text with no CR is returned as it is.
func NormalizeLineEnds(text []byte) []byte {
	if bytes.IndexByte(text, '\r') < 0 {
		return text
	}
	out := make([]byte, 0, len(text))
	for len(text) > 0 {
		end, next, blanks, _ := lineEnd(text, true)
		out = append(out, text[:end]...)
		if next > end {
			out = append(out, '\n')
		}
		for ; blanks > 0; blanks-- {
			out = append(out, '\n')
		}
		text = text[next:]
	}
	return out
}

// LineEnds returns a reader of r's text with NormalizeLineEnds applied.
// It reads r whole on the first Read: it is meant for small text files
// such as the rules file (engine.ParseRules(ingest.LineEnds(f), path)).
func LineEnds(r io.Reader) io.Reader { return &lineEndReader{r: r} }

type lineEndReader struct {
	r    io.Reader
	text *bytes.Reader
}

func (l *lineEndReader) Read(p []byte) (int, error) {
	if l.text == nil {
		b, err := io.ReadAll(l.r)
		if err != nil {
			return 0, err
		}
		l.text = bytes.NewReader(NormalizeLineEnds(b))
	}
	return l.text.Read(p)
}
