package index

import (
	"context"
	"encoding/binary"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// The SMETS2+ members ('s' pages of records, 'k' buckets of inventory_id
// names; layout.go): each encoder beside its decoder.

// appendSmets2 appends the record of a SMETS2+ member.
func appendSmets2(b []byte, s *engine.Smets2) []byte {
	b = binary.AppendUvarint(b, uint64(len(s.ID)))
	b = append(b, s.ID...)
	b = appendKey(b, s.MPAN)
	b = appendKey(b, s.MPRN)
	b = binary.AppendVarint(b, int64(s.Date))
	b = append(b, boolByte(s.Communicating))
	b = binary.AppendUvarint(b, uint64(s.File))
	return binary.AppendUvarint(b, uint64(s.Line))
}

func decodeSmets2(b []byte, id uint32) (*Record, error) {
	d := &decoder{b: b}
	s := &engine.Smets2{ID: string(d.bytes(int(d.uvarint())))}
	s.MPAN, s.MPRN = readKey(d), readKey(d)
	s.Date = value.Date(d.varint())
	if c := d.bytes(1); c != nil {
		s.Communicating = c[0] != 0
	}
	s.File, s.Line = uint16(d.uvarint()), uint32(d.uvarint())
	if d.err != nil {
		return nil, d.err
	}
	return &Record{ID: id, Smets2: s}, nil
}

// writeSmets2Pages writes the SMETS2+ members in pages of pageSize, laid
// out as the installation pages.
// writeSmets2Pages writes the SMETS2+ members in pages of pageSize, framed
// as the installation pages.
func writeSmets2Pages(ctx context.Context, out *streamOut, inv []engine.Smets2) error {
	var val []byte
	for page := 0; page*pageSize < len(inv); page++ {
		val = appendPage(val[:0], page, len(inv), func(b []byte, i int) []byte { return appendSmets2(b, &inv[i]) })
		if err := out.add(smets2PageKey(uint32(page)), val); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return out.close()
}

// appendSmets2Name appends the entry of a SMETS2+ member's inventory_id:
// the name, then the member id.
func appendSmets2Name(b []byte, name string, member uint32) []byte {
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	return binary.AppendUvarint(b, uint64(member))
}

// byName looks name up in the name buckets under prefix, entries as
// appendSmets2Name writes them.
func (s *Store) byName(prefix byte, name string) (uint32, bool, error) {
	v, err := s.get(bucketKey(prefix, bucketOfName(name)))
	if err != nil || v == nil {
		return 0, false, err
	}
	d := &decoder{b: v}
	for len(d.b) > 0 && d.err == nil {
		n := string(d.bytes(int(d.uvarint())))
		id := d.uvarint()
		if n == name && d.err == nil {
			return uint32(id), true, nil
		}
	}
	return 0, false, d.err
}

// BySmets2ID returns the member id of the SMETS2+ installation
// inventoryID.
func (s *Store) BySmets2ID(inventoryID string) (uint32, bool, error) {
	return s.byName(prefixSmets2Name, inventoryID)
}

func smets2PageKey(page uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{prefixSmets2Page}, page)
}
