package output

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
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

func readCSV(r io.Reader, name string, fn func(line int, row *Row) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading the header: %w", name, err)
	}
	at := map[string]int{}
	for i, h := range header {
		at[strings.TrimSpace(strings.ToLower(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	var pos [NumColumns]int
	for i, c := range columns {
		p, ok := at[c.name]
		if !ok {
			return fmt.Errorf("%s: line 1: column %q is missing: not a decisions file", name, c.name)
		}
		pos[i] = p
	}
	var row Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for i, p := range pos {
			row[i] = rec[p]
		}
		line, _ := cr.FieldPos(0)
		if err := fn(line, &row); err != nil {
			return err
		}
	}
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
