package report

import (
	"fmt"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// decisionsFile returns a decisions CSV of thousands of installations,
// enough that every count people read needs a separator: outcomes of
// every decision over four cohorts, three SMSOs (one with a long name) and
// three suppliers, a placeholder MPAN linking 24 installations and a
// SMETS2+ member into one group, and pairs sharing an MPAN. shift changes
// some decisions, for a later run to compare with.
func decisionsFile(shift bool) string {
	type outcome struct {
		d engine.Decision
		r engine.Reason
		n int
	}
	outcomes := []outcome{
		{engine.Migrate, engine.Unique, 12345},
		{engine.Exclude, engine.FwUnable, 1234},
		{engine.Blocked, engine.DuplicateMPxNActive, 1002},
		{engine.Pending, engine.FwRetry, 999},
		{engine.Pending, engine.FwNoExclusionCategory, 40},
		{engine.MigratePartial, engine.GasFailurePartial, 7},
		{engine.Exclude, engine.NoPrepaymentKey, 1},
	}
	cohorts := []engine.Cohort{engine.FOC, engine.IOC, engine.MOCMDS, engine.MOCSecure}
	smsos := []string{"NORTH", "SOUTH", "A_SERVICE_PROVIDER_WITH_A_VERY_LONG_NAME_INDEED"}
	var b strings.Builder
	b.WriteString("smso,installation_id,cohort,decision,reason,clause,group_id,group_size,mpan,mprn,supplier_id,notify_supplier\n")
	i := 0
	row := func(o engine.Outcome, gid value.Key, size int, mpan value.Key) {
		c := cohorts[i%len(cohorts)]
		fmt.Fprintf(&b, "%s,INS-%06d,%s,%s,%s,%s,%s,%d,%s,,SUP%d,Y\n", smsos[i%len(smsos)], i, c, o.Decision, o.Reason, o.Clause(c),
			gid, size, mpan, i%3+1)
		i++
	}
	for _, oc := range outcomes {
		for range oc.n {
			o := engine.Outcome{Decision: oc.d, Reason: oc.r}
			if shift && i%97 == 0 && oc.d != engine.Migrate {
				o = engine.Outcome{Decision: engine.Migrate, Reason: engine.Unique}
			}
			if shift && i%89 == 0 && oc.d == engine.Migrate {
				o = engine.Outcome{Decision: engine.Exclude, Reason: engine.FwConfigFailure}
			}
			k := mpan(uint64(100000 + i))
			row(o, k, 1, k)
		}
	}
	// A placeholder MPAN: 24 SMETS1 installations and one SMETS2+ member.
	placeholder := mpan(0)
	for range 24 {
		row(engine.Outcome{Decision: engine.Exclude, Reason: engine.DuplicateMPxN}, placeholder, 25, placeholder)
	}
	// Pairs resolved at step 2c.
	for p := range 30 {
		k := mpan(uint64(900000 + p))
		row(engine.Outcome{Decision: engine.Migrate, Reason: engine.DuplicateResolved}, k, 2, k)
		row(engine.Outcome{Decision: engine.Exclude, Reason: engine.DuplicateMPxN}, k, 2, k)
	}
	return b.String()
}

// mpan returns the MPAN key of core n (its check digit computed).
func mpan(n uint64) value.Key {
	core12 := fmt.Sprintf("%012d", n)
	d := value.MPANCheckDigit([]byte(core12))
	k, msg := value.ParseMPAN([]byte(core12 + string(d)))
	if msg != "" {
		panic(msg)
	}
	return k
}
