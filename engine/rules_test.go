package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/value"
)

// meter is a shorthand for a meter row in the step 3-5 tables.
func meter(t DeviceType, s State, group string, fw Status, fwAtt uint32, cfg Status, cfgAtt uint32) Device {
	d := DeviceFields{Type: t, State: s, Fw: fw, FwAttempts: fwAtt, Cfg: cfg, CfgAttempts: cfgAtt}.Device()
	if group != "" {
		d.Group = [2]byte{group[0], group[1]}
	}
	return d
}

func TestLaterSteps(t *testing.T) {
	esmeOK := meter(ESME, Dormant, "CB", OK, 0, OK, 0)
	tests := []struct {
		name   string
		cohort Cohort
		devs   []Device
		unreg  bool // the MPAN is missing from the registration data
		want   Outcome
		clause string
	}{
		{"clean dormant migrates", MOCMDS, []Device{esmeOK}, false, Outcome{Migrate, Unique, Step6}, ""},
		{"step 3 dormant unregistered", MOCMDS, []Device{esmeOK}, true, Outcome{Exclude, MPxNNotRegistered, Step3}, "18.12"},
		{"step 3 active unregistered", MOCMDS, []Device{meter(ESME, Active, "CB", OK, 0, OK, 0)}, true, Outcome{Blocked, MPxNNotRegistered, Step3}, ""},
		{"step 3 before step 4", MOCMDS, []Device{DeviceFields{Type: ESME, State: Dormant, Prepay: value.No}.Device()}, true, Outcome{Exclude, MPxNNotRegistered, Step3}, "18.12"},
		{"step 4 dormant no prepayment key", FOC, []Device{DeviceFields{Type: GSME, State: Dormant, Prepay: value.No}.Device()}, false, Outcome{Exclude, NoPrepaymentKey, Step4}, "18.12"},
		{"step 4 mixed no prepayment key", FOC, []Device{DeviceFields{Type: GSME, State: Dormant, Prepay: value.No}.Device(), DeviceFields{Type: ESME, State: Active}.Device()}, false, Outcome{Blocked, NoPrepaymentKey, Step4}, ""},
		{"step 4 ignores a hub's prepay_key", FOC, []Device{DeviceFields{Type: CHF, Prepay: value.No}.Device()}, false, Outcome{Migrate, Unique, Step6}, ""},
		{"step 5a IOC covered unable", IOC, []Device{meter(GSME, Dormant, "BA", Unable, 0, NotRequired, 0)}, false, Outcome{Exclude, FwUnable, Step5}, "18.9"},
		{"step 5a not for an uncovered group: stuck", IOC, []Device{meter(GSME, Dormant, "DA", Unable, 0, NotRequired, 0)}, false, Outcome{Pending, FwNoExclusionCategory, Step5}, ""},
		{"step 5a not outside IOC: stuck", MOCMDS, []Device{meter(GSME, Dormant, "CB", Unable, 0, NotRequired, 0)}, false, Outcome{Pending, FwNoExclusionCategory, Step5}, ""},
		{"step 5 skipped for Active or Mixed", IOC, []Device{meter(GSME, Dormant, "BA", Unable, 0, NotRequired, 0), meter(ESME, Active, "BA", OK, 0, OK, 0)}, false, Outcome{Migrate, Unique, Step6}, ""},
		{"step 5b MOC_MDS firmware at threshold", MOCMDS, []Device{meter(ESME, Dormant, "CB", Failed, 15, OK, 0)}, false, Outcome{Exclude, FwConfigFailure, Step5}, "18.10"},
		{"step 5d MOC_MDS firmware one below", MOCMDS, []Device{meter(ESME, Dormant, "CB", Failed, 14, OK, 0)}, false, Outcome{Pending, FwRetry, Step5}, "4.26"},
		{"step 5b MOC_MDS configuration at threshold", MOCMDS, []Device{meter(ESME, Dormant, "CB", OK, 0, Failed, 10)}, false, Outcome{Exclude, FwConfigFailure, Step5}, "18.10"},
		{"step 5d MOC_MDS configuration one below", MOCMDS, []Device{meter(ESME, Dormant, "CB", OK, 0, Failed, 9)}, false, Outcome{Pending, FwRetry, Step5}, "4.26"},
		{"step 5b IOC firmware at 108", IOC, []Device{meter(ESME, Dormant, "AA", Failed, 108, OK, 0)}, false, Outcome{Exclude, FwConfigFailure, Step5}, "18.11"},
		{"step 5d IOC firmware at 107", IOC, []Device{meter(ESME, Dormant, "AA", Failed, 107, OK, 0)}, false, Outcome{Pending, FwRetry, Step5}, "4.26"},
		{"step 5b IOC configuration at 30", IOC, []Device{meter(GSME, Dormant, "CA", OK, 0, Failed, 30)}, false, Outcome{Exclude, FwConfigFailure, Step5}, "18.11"},
		{"step 5d IOC configuration at 29", IOC, []Device{meter(GSME, Dormant, "CA", OK, 0, Failed, 29)}, false, Outcome{Pending, FwRetry, Step5}, "4.26"},
		{"step 5b gas only installation", MOCMDS, []Device{meter(GSME, Dormant, "CB", Failed, 20, OK, 0)}, false, Outcome{Exclude, FwConfigFailure, Step5}, "18.10"},
		{"step 5c MOC_MDS partial", MOCMDS, []Device{esmeOK, meter(GSME, Dormant, "CB", Failed, 15, OK, 0)}, false, Outcome{MigratePartial, GasFailurePartial, Step5}, "4.26A"},
		{"step 5c IOC partial", IOC, []Device{meter(ESME, Dormant, "AA", NotRequired, 0, NotRequired, 0), meter(GSME, Dormant, "AA", OK, 0, Failed, 31)}, false, Outcome{MigratePartial, GasFailurePartial, Step5}, "5.8B"},
		{"step 5 ESME retrying while GSME failed: 5d", MOCMDS, []Device{meter(ESME, Dormant, "CB", Failed, 3, OK, 0), meter(GSME, Dormant, "CB", Failed, 15, OK, 0)}, false, Outcome{Pending, FwRetry, Step5}, "4.26"},
		{"step 5 ESME stuck while GSME failed: 5e", MOCMDS, []Device{meter(ESME, Dormant, "CC", Failed, 40, OK, 0), meter(GSME, Dormant, "CB", Failed, 15, OK, 0)}, false, Outcome{Pending, FwNoExclusionCategory, Step5}, ""},
		{"step 5b both meters failed", MOCMDS, []Device{meter(ESME, Dormant, "CB", Failed, 15, OK, 0), meter(GSME, Dormant, "CB", Failed, 15, OK, 0)}, false, Outcome{Exclude, FwConfigFailure, Step5}, "18.10"},
		{"step 5 uncovered group over threshold is stuck", MOCMDS, []Device{meter(ESME, Dormant, "CC", Failed, 99, OK, 0)}, false, Outcome{Pending, FwNoExclusionCategory, Step5}, ""},
		{"step 5 uncovered group below threshold retries", MOCMDS, []Device{meter(ESME, Dormant, "CC", Failed, 2, OK, 0)}, false, Outcome{Pending, FwRetry, Step5}, "4.26"},
		{"step 5 FOC has no thresholds: stuck", FOC, []Device{meter(ESME, Dormant, "FA", Failed, 1000, OK, 0)}, false, Outcome{Pending, FwNoExclusionCategory, Step5}, ""},
		{"step 5 MOC_SECURE failure: stuck", MOCSecure, []Device{meter(GSME, Dormant, "SA", OK, 0, Failed, 1)}, false, Outcome{Pending, FwNoExclusionCategory, Step5}, ""},
		{"step 5 unable on a dormant GSME outside covered groups, ESME ok", IOC, []Device{esmeOK, meter(GSME, Dormant, "DA", Unable, 0, OK, 0)}, false, Outcome{Pending, FwNoExclusionCategory, Step5}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mpan := value.MPANKey(1200023305967)
			for i := range tt.devs {
				tt.devs[i].SetGUID(value.GUID(i + 1)) // distinct, or step 1 would decide
			}
			p := &Population{Installations: []Installation{{Name: "S\x00x", MPAN: mpan, Cohort: tt.cohort, Count: uint32(len(tt.devs))}}, Devices: tt.devs}
			reg := NewRegistry()
			if !tt.unreg {
				reg.Add(mpan, "SUP", 2)
			}
			reg.Add(value.MPANKey(1100012345674), "OTHER", 3)
			reg.Seal(1)
			res, err := (&Resolver{Rules: defaultRules(), Registration: true, Registry: reg}).Resolve(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			o := res.Outcomes[0]
			if o != tt.want || o.Clause(tt.cohort) != tt.clause {
				t.Errorf("got %s/%s step %s clause %q, want %s/%s step %s clause %q", o.Decision, o.Reason, o.Step,
					o.Clause(tt.cohort), tt.want.Decision, tt.want.Reason, tt.want.Step, tt.clause)
			}
		})
	}
}

// TestLaterStepsAfterDuplicateWinner: the step 2c winner goes on to steps 3-5.
func TestLaterStepsAfterDuplicateWinner(t *testing.T) {
	const a = 1200023305967
	p := population([]inst{{name: "1", mpan: a, date: 1}, {name: "2", mpan: a, date: 5, comm: true}})
	p.Devices[p.Installations[1].First].SetPrepay(value.No)
	res, err := (&Resolver{Rules: defaultRules()}).Resolve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if o := res.Outcomes[1]; o != (Outcome{Exclude, NoPrepaymentKey, Step4}) {
		t.Errorf("winner: %+v", o)
	}
	if o := res.Outcomes[0]; o != (Outcome{Exclude, DuplicateMPxN, Step2c}) {
		t.Errorf("loser: %+v", o)
	}
}

func TestRegistrySupplierAndDuplicates(t *testing.T) {
	reg := NewRegistry()
	e, g, other := value.MPANKey(1200023305967), value.MPRNKey(3365498706, 10), value.MPANKey(1100012345674)
	reg.Add(g, "GAS1", 2)
	reg.Add(e, "ELEC1", 3)
	reg.Add(g, "OTHER", 4)
	reg.SetStatus("GAS1", CeasedTrading)
	reg.SetStatus("ELEC1", NotLiveUser)
	dups := reg.Seal(2)
	if len(dups) != 1 || dups[0] != (Duplicate{Key: g, Line: 4, FirstLine: 2}) {
		t.Fatalf("duplicates %+v", dups)
	}
	if s, ok := reg.Supplier(g); !ok || s != "GAS1" {
		t.Errorf("first registration must stand: %q %v", s, ok)
	}
	if _, ok := reg.Supplier(other); ok {
		t.Error("unregistered key found")
	}
	g2 := value.MPRNKey(123456, 6)
	reg.Add(g2, "GAS1", 5)
	reg.Seal(1)
	p := &Population{Installations: []Installation{
		{Name: "S\x00a", MPAN: e, MPRN: g},
		{Name: "S\x00b", MPAN: other, MPRN: g2},
		{Name: "S\x00c", MPAN: value.MPANKey(1412345678901)}},
	}
	res, err := (&Resolver{Registry: reg, Rules: defaultRules(), Registration: true}).Resolve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range []struct {
		supplier string
		notify   bool
	}{{"ELEC1", false}, {"GAS1", false}, {"", true}} {
		s, notify := reg.SupplierName(res.Supplier(uint32(id)))
		if s != want.supplier || notify != want.notify {
			t.Errorf("installation %d: supplier %q notify %v, want %q %v", id, s, notify, want.supplier, want.notify)
		}
	}
	reg.SetStatus("ELEC1", Live)
	if s, notify := reg.SupplierName(res.Supplier(0)); s != "ELEC1" || !notify {
		t.Errorf("live supplier: %q %v", s, notify)
	}
	if o := res.Outcomes[1]; o.Reason != MPxNNotRegistered {
		t.Errorf("installation with one of two MPxNs unregistered: %+v", o)
	}
	var none *Registry
	if s, notify := none.SupplierName(-1); s != "" || !notify {
		t.Errorf("no registration data: %q %v", s, notify)
	}
}

func TestRulesFileRoundTrip(t *testing.T) {
	var b strings.Builder
	if err := DefaultRules().Format(&b); err != nil {
		t.Fatal(err)
	}
	rs, err := ParseRules(strings.NewReader(b.String()), "default")
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if !reflect.DeepEqual(rs, DefaultRules()) {
		t.Fatalf("round trip gave %+v", rs)
	}
	custom, err := ParseRules(strings.NewReader("# amended\nmoc_mds firmware=20 configuration=10 groups=CB,CC\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if th := custom.Thresholds[MOCMDS]; th.Firmware != 20 || len(th.Groups) != 2 || len(custom.Thresholds) != 1 {
		t.Errorf("custom %+v", custom)
	}
	d := meter(ESME, Dormant, "CC", Failed, 19, OK, 0)
	if custom.Classify(MOCMDS, &d) != MeterRetrying {
		t.Error("19 attempts under a threshold of 20 must be retrying")
	}
	d.FwAttempts = 20
	if custom.Classify(MOCMDS, &d) != MeterPersistent {
		t.Error("20 attempts in newly covered group CC must be persistent")
	}
	if custom.Classify(IOC, &d) != MeterStuck {
		t.Error("IOC has no thresholds in the custom rules: stuck")
	}
	for _, bad := range []string{"XOC firmware=1 configuration=1 groups=AA", "IOC firmware=x configuration=1 groups=AA",
		"IOC firmware=1 configuration=1", "IOC firmware=1 configuration=1 groups=A1", "IOC firmware=1 firmware=2 configuration=1 groups=AA",
		"IOC firmware=1 configuration=1 groups=AA\nIOC firmware=1 configuration=1 groups=AA"} {
		if _, err := ParseRules(strings.NewReader(bad), "bad.rules"); err == nil || !strings.Contains(err.Error(), "bad.rules: line") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func defaultRules() *RuleSet {
	rs := DefaultRules()
	return &rs
}
