package output

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/ingest"
)

// ReadDecisionsFile reads the decisions file at path, told by its name:
// .parquet is Parquet (parquet.go), .gz is gunzipped, and the rest is CSV
// or JSON Lines as ReadDecisions tells them; "-" is standard input.
func ReadDecisionsFile(path string, fn func(line int, row *Row) error) error {
	if path == "-" {
		return ReadDecisions(os.Stdin, path, fn)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".parquet"):
		return readParquet(f, path, fn)
	case strings.HasSuffix(lower, ".gz"):
		z, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: not a readable gzip file: %w", path, err)
		}
		return ReadDecisions(z, path, fn)
	}
	return ReadDecisions(f, path, fn)
}

// ReadDecisions reads a decisions file (FORMAT.md §4), CSV or JSON Lines,
// told by its first byte, and calls fn with each row and the line it is on.
// Columns are found by name (in any order, unknown ones ignored), so a file
// written by an older or newer run still reads. name is used in errors,
// which say the file and line.
func ReadDecisions(r io.Reader, name string, fn func(line int, row *Row) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	first, _ := br.Peek(64)
	first = bytes.TrimLeft(bytes.TrimPrefix(first, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(first) > 0 && first[0] == '{' {
		return readJSONL(br, name, fn)
	}
	return readCSV(br, name, fn)
}

// decisionsKind is the decisions file as package ingest reads it: the
// columns of columns.go, each required.
var decisionsKind = func() *ingest.Kind {
	k := &ingest.Kind{Name: "decisions"}
	for _, c := range columns {
		k.Columns = append(k.Columns, ingest.Column{Name: c.name, Need: ingest.Required})
	}
	return k
}()

// readCSV reads a decisions CSV by the rules every input of s1resolve
// follows (ingest.Reader: line ends, BOM, sep=, line, quoting, blank lines,
// values trimmed); a header without a column, or a row that is not valid
// CSV or has another number of fields, is an error naming file and line.
func readCSV(r io.Reader, name string, fn func(line int, row *Row) error) error {
	rd, err := ingest.NewReader(r, name, decisionsKind)
	if err != nil {
		if errors.Is(err, ingest.ErrHeader) {
			return err
		}
		return fmt.Errorf("%s: reading the header: %w", name, err)
	}
	var row Row
	var text []byte
	for rd.Next() {
		if f := rd.Fault(); f != nil {
			return f
		}
		// One string per row, which the values slice.
		text = text[:0]
		var ends [NumColumns]int
		for i := range row {
			text = append(text, rd.Value(i)...)
			ends[i] = len(text)
		}
		all, start := string(text), 0
		for i := range row {
			row[i] = all[start:ends[i]]
			start = ends[i]
		}
		if err := fn(rd.Line(), &row); err != nil {
			return err
		}
	}
	if err := rd.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func readJSONL(r io.Reader, name string, fn func(line int, row *Row) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var row Row
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(text, &obj); err != nil {
			return fmt.Errorf("%s: line %d: not a JSON object: %v", name, line, err)
		}
		for i, c := range columns {
			switch v := obj[c.name].(type) {
			case string:
				row[i] = v
			case float64:
				if c.kind != number {
					return fmt.Errorf("%s: line %d: %q is a number, want a string", name, line, c.name)
				}
				row[i] = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
				return fmt.Errorf("%s: line %d: key %q is missing: not a decisions file", name, line, c.name)
			default:
				return fmt.Errorf("%s: line %d: %q is not a string", name, line, c.name)
			}
		}
		if err := fn(line, &row); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
