package serve

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode"
)

// The tokens file holds one line per token: the SHA-256 of the token in
// hex, a space, and whom it is for, "dcc" (sees everything) or
// "supplier:SUPPLIER_ID" (sees its own installations). Lines starting
// with '#' and blank lines are ignored. The tokens themselves are never
// stored: `s1resolve token add` prints a new one once.

// ErrNoToken is wrapped when a revocation matches no token.
var ErrNoToken = errors.New("no such token")

// tokenPrefix begins every token, so that one is recognised in a paste
// or a leaked file.
const tokenPrefix = "s1r_"

// Principal is whom a token is for.
type Principal struct {
	// Name is "dcc", "supplier:SUPPLIER_ID", or "local" when the service
	// runs without a tokens file.
	Name string
	// Supplier is the supplier's id, "" for dcc and local.
	Supplier string
	// ID is the first 12 hex digits of the token's hash: what the
	// access log and `token revoke` name it by.
	ID string
}

// IsSupplier reports whether the principal is scoped to one supplier.
func (p Principal) IsSupplier() bool { return strings.HasPrefix(p.Name, "supplier:") }

// ParsePrincipal checks a principal: "dcc" or "supplier:" and a supplier id.
func ParsePrincipal(s string) (Principal, error) {
	if s == "dcc" {
		return Principal{Name: s}, nil
	}
	id, ok := strings.CutPrefix(s, "supplier:")
	if !ok || id == "" || strings.TrimSpace(id) != id || strings.IndexFunc(id, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return Principal{}, fmt.Errorf("%q is not a principal: give dcc or supplier:SUPPLIER_ID", s)
	}
	return Principal{Name: s, Supplier: id}, nil
}

// tokenEntry is one line of the tokens file.
type tokenEntry struct {
	hash [sha256.Size]byte
	who  Principal
}

// tokenSet is a tokens file as read.
type tokenSet []tokenEntry

// readTokens reads a tokens file; an error names the file and line.
func readTokens(path string) (tokenSet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	return parseTokens(path, b)
}

func parseTokens(path string, b []byte) (tokenSet, error) {
	var out tokenSet
	sc := bufio.NewScanner(bytes.NewReader(b))
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || t[0] == '#' {
			continue
		}
		h, who, _ := strings.Cut(t, " ")
		var e tokenEntry
		if n, err := hex.Decode(e.hash[:], []byte(h)); err != nil || n != sha256.Size || len(h) != 2*sha256.Size {
			return nil, fmt.Errorf("%s line %d: %q is not a SHA-256 in hex", path, line, h)
		}
		p, err := ParsePrincipal(strings.TrimSpace(who))
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %v", path, line, err)
		}
		p.ID = h[:12]
		e.who = p
		out = append(out, e)
	}
	return out, sc.Err()
}

// lookup returns the principal of token. Every entry is compared, in
// constant time, whatever matches: the time taken says nothing of which
// hash is near.
func (ts tokenSet) lookup(token string) (Principal, bool) {
	h := sha256.Sum256([]byte(token))
	found := -1
	for i := range ts {
		if subtle.ConstantTimeCompare(h[:], ts[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return Principal{}, false
	}
	return ts[found].who, true
}

// AddToken makes a new token for principal, appends its hash to the
// tokens file (creating it, mode 0600) and returns the token and its id.
// The token is 256 bits from crypto/rand; only its hash is stored.
func AddToken(path, principal string) (token, id string, err error) {
	p, err := ParsePrincipal(principal)
	if err != nil {
		return "", "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", "", err
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := sha256.Sum256([]byte(token))
	line := hex.EncodeToString(h[:]) + " " + p.Name + "\n"
	err = editTokens(path, true, func(b []byte) ([]byte, error) {
		if _, err := parseTokens(path, b); err != nil {
			return nil, err
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			b = append(b, '\n')
		}
		return append(b, line...), nil
	})
	return token, hex.EncodeToString(h[:6]), err
}

// RevokeTokens removes from the tokens file the tokens that match: by id
// (a prefix of the hash, at least 8 hex digits, matching one token), by the
// token itself, or every token of a principal. It returns the principals
// of the tokens removed; none is an error wrapping ErrNoToken.
func RevokeTokens(path, idOrToken, principal string) ([]string, error) {
	var removed []string
	err := editTokens(path, false, func(b []byte) ([]byte, error) {
		ts, err := parseTokens(path, b)
		if err != nil {
			return nil, err
		}
		match := func(e tokenEntry) bool { return e.who.Name == principal }
		if idOrToken != "" {
			id := strings.ToLower(idOrToken)
			if strings.HasPrefix(idOrToken, tokenPrefix) {
				h := sha256.Sum256([]byte(idOrToken))
				id = hex.EncodeToString(h[:])
			} else if len(id) < 8 {
				return nil, fmt.Errorf("token id %q: give at least 8 hex digits of it, or the token", idOrToken)
			}
			n := 0
			for _, e := range ts {
				if strings.HasPrefix(hex.EncodeToString(e.hash[:]), id) {
					n++
				}
			}
			if n > 1 {
				return nil, fmt.Errorf("token id %q matches %d tokens: give more of it", idOrToken, n)
			}
			match = func(e tokenEntry) bool { return strings.HasPrefix(hex.EncodeToString(e.hash[:]), id) }
		}
		var out []byte
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := sc.Text()
			if t := strings.TrimSpace(line); t != "" && t[0] != '#' {
				e, _ := parseTokens(path, []byte(t))
				if len(e) == 1 && match(e[0]) {
					removed = append(removed, e[0].who.Name)
					continue
				}
			}
			out = append(append(out, line...), '\n')
		}
		if len(removed) == 0 {
			return nil, fmt.Errorf("%s: %w matches %q", path, ErrNoToken, idOrToken+principal)
		}
		return out, nil
	})
	return removed, err
}

// ListTokens returns the tokens of a file: id and principal, in file order.
func ListTokens(path string) ([]Principal, error) {
	ts, err := readTokens(path)
	if err != nil {
		return nil, err
	}
	out := make([]Principal, len(ts))
	for i, e := range ts {
		out[i] = e.who
	}
	return out, nil
}

// editTokens rewrites the tokens file with edit, under an exclusive lock
// on it (so that two edits at once do not lose one), through a temporary
// file renamed over it (so that a server never reads half a file).
func editTokens(path string, create bool, edit func([]byte) ([]byte, error)) error {
	// Each retry follows another edit's completion, so the loop ends; the
	// bound only stops a file replaced without end by something else.
	for range 10000 {
		flags := os.O_RDWR
		if create {
			flags |= os.O_CREATE
		}
		f, err := os.OpenFile(path, flags, 0o600)
		if err != nil {
			return fmt.Errorf("tokens file: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return fmt.Errorf("tokens file %s: %w", path, err)
		}
		// Another edit may have renamed a new file in while this one
		// waited for the lock: then lock that one.
		held, err1 := f.Stat()
		named, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || !os.SameFile(held, named) {
			f.Close()
			continue
		}
		err = func() error {
			defer f.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("tokens file: %w", err)
			}
			out, err := edit(b)
			if err != nil {
				return err
			}
			tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
			if err != nil {
				return fmt.Errorf("tokens file: %w", err)
			}
			_, err = tmp.Write(out)
			if err == nil {
				err = tmp.Sync()
			}
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = os.Rename(tmp.Name(), path)
			}
			if err != nil {
				os.Remove(tmp.Name())
				return fmt.Errorf("tokens file: %w", err)
			}
			return nil
		}()
		return err
	}
	return fmt.Errorf("tokens file %s: keeps being replaced", path)
}
