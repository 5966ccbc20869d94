package index

import "fmt"

// check refuses a decoded installation record whose enumerated fields are
// out of range: a record is used to index tables (words, clauses), so a
// record that is not one this package wrote must be an error, never a
// panic.
func (r *Record) check() error {
	in := &r.Installation
	o := r.Outcome
	switch {
	case !in.Cohort.Valid():
		return fmt.Errorf("%w: cohort %d", ErrFormat, in.Cohort)
	case !o.Decision.Valid() || !o.Reason.Valid() || !o.Step.Valid():
		return fmt.Errorf("%w: outcome %d/%d at step %d", ErrFormat, o.Decision, o.Reason, o.Step)
	}
	for i := range r.Devices {
		d := &r.Devices[i]
		if !d.Type().Valid() || !d.State().Valid() || !d.Fw().Valid() || !d.Cfg().Valid() || d.Prepay() > 2 || !r.Meters[i].Valid() {
			return fmt.Errorf("%w: device %d of %s", ErrFormat, i, in.Name)
		}
	}
	return nil
}
