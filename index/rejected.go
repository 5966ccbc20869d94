package index

import (
	"encoding/binary"

	"github.com/s1resolve/s1resolve/engine"
)

// The rejected installations ('j' buckets; layout.go): the encoder of an
// entry beside the lookup that decodes it.

// Rejected is a rejected installation as the store keeps it: how many of
// its rows are in the rejects output, and the first of them.
type Rejected struct {
	Name  string // engine.InstallationName
	File  uint16 // index in Meta.Files
	Line  uint32
	Rows  uint32
	Error string
}

// appendRejected appends the entry of r: name, file, line, rows, error.
func appendRejected(b []byte, r *Rejected) []byte {
	b = binary.AppendUvarint(b, uint64(len(r.Name)))
	b = append(b, r.Name...)
	b = binary.AppendUvarint(b, uint64(r.File))
	b = binary.AppendUvarint(b, uint64(r.Line))
	b = binary.AppendUvarint(b, uint64(r.Rows))
	b = binary.AppendUvarint(b, uint64(len(r.Error)))
	return append(b, r.Error...)
}

// readRejected reads an entry as appendRejected writes it.
func readRejected(d *decoder) Rejected {
	r := Rejected{Name: string(d.bytes(int(d.uvarint())))}
	r.File, r.Line, r.Rows = uint16(d.uvarint()), uint32(d.uvarint()), uint32(d.uvarint())
	r.Error = string(d.bytes(int(d.uvarint())))
	return r
}

// RejectedByName returns the rejected installation (smso,
// installationID), or ok=false when no installation of that name was
// rejected.
func (s *Store) RejectedByName(smso, installationID string) (Rejected, bool, error) {
	name := engine.InstallationName(smso, installationID)
	v, err := s.get(bucketKey(prefixRejected, bucketOfName(name)))
	if err != nil || v == nil {
		return Rejected{}, false, err
	}
	d := &decoder{b: v}
	for len(d.b) > 0 && d.err == nil {
		if r := readRejected(d); r.Name == name && d.err == nil {
			return r, true, nil
		}
	}
	return Rejected{}, false, d.err
}
