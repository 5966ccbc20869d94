package index

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// The registration data ('r' buckets; layout.go): the encoder beside the
// lookup that decodes it.

// writeRegistration writes the registration data in buckets of mixed key.
func writeRegistration(ctx context.Context, out *streamOut, reg *engine.Registry) error {
	var val []byte
	bucket := uint32(1 << bucketBits) // none yet
	var err error
	reg.Entries(func(k uint64, supplier, line uint32) {
		if b := bucketOfMixed(k); b != bucket {
			if len(val) > 0 && err == nil {
				err = out.add(bucketKey(prefixRegistration, bucket), val)
			}
			val, bucket = val[:0], b
		}
		val = append(val, byte(k>>40), byte(k>>32), byte(k>>24), byte(k>>16), byte(k>>8), byte(k))
		val = binary.AppendUvarint(val, uint64(supplier))
		val = binary.AppendUvarint(val, uint64(line))
	})
	if len(val) > 0 && err == nil {
		err = out.add(bucketKey(prefixRegistration, bucket), val)
	}
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return out.close()
}

// Registration is what the store knows of one MPxN's registration.
type Registration struct {
	Supplier string
	Status   string
	Line     uint32 // line in Meta.Registration
}

// Registered returns the registration of k, or ok=false when the MPxN is
// not registered or no registration data was given (Meta.Registration "").
func (s *Store) Registered(k value.Key) (Registration, bool, error) {
	m := engine.Mix(uint64(k))
	v, err := s.get(bucketKey(prefixRegistration, bucketOfMixed(m)))
	if err != nil || v == nil {
		return Registration{}, false, err
	}
	d := &decoder{b: v}
	for len(d.b) > 0 && d.err == nil {
		kb := d.bytes(6)
		sup, line := d.uvarint(), d.uvarint()
		if d.err != nil {
			break
		}
		got := uint64(kb[0])<<40 | uint64(kb[1])<<32 | uint64(kb[2])<<24 | uint64(kb[3])<<16 | uint64(kb[4])<<8 | uint64(kb[5])
		if got == m&(1<<48-1) {
			if int(sup) >= len(s.Meta.Suppliers) || len(s.Meta.SupplierStatus) != len(s.Meta.Suppliers) {
				return Registration{}, false, fmt.Errorf("%w: supplier %d out of range", ErrFormat, sup)
			}
			return Registration{s.Meta.Suppliers[sup], s.Meta.SupplierStatus[sup], uint32(line)}, true, nil
		}
	}
	return Registration{}, false, d.err
}
