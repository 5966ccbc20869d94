package report

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/value"
)

// Write writes every report file into dir, creating it: summary.csv,
// summary.md, by_smso.csv, report.html and suppliers/<supplier>.csv. dir is
// meant to be an output.Dir's Path, swapped into place whole once written,
// so the files are written plainly. With OnlySupplier, suppliers/ holds
// that supplier's list alone, written (its header only) even when none of
// its installations is held back.
func (r *Report) Write(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "suppliers"), 0o700); err != nil {
		return err
	}
	files := map[string][]byte{
		"summary.csv": r.summaryCSV(),
		"summary.md":  r.summaryMarkdown(),
		"by_smso.csv": r.bySMSOCSV(),
		"report.html": r.HTML(),
	}
	for supplier, rows := range r.bySupplier {
		files[filepath.Join("suppliers", SupplierFile(supplier))] = r.supplierCSV(rows)
	}
	if r.onlySupplier && len(r.bySupplier) == 0 {
		files[filepath.Join("suppliers", SupplierFile(r.supplier))] = r.supplierCSV(nil)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Owns tells which entries of an existing folder a report writes (for
// job.Folder): a folder holding anything else is not replaced.
var Owns = owns("summary.csv", "summary.md", "by_smso.csv", "report.html")

// OwnsDiff tells which entries a comparison (s1resolve diff) writes.
var OwnsDiff = owns(DiffFiles...)

// OwnsWhatIf tells which entries a what-if (s1resolve whatif) writes: a
// comparison and the decisions under the rules tried.
var OwnsWhatIf = owns(append([]string{"decisions.csv"}, DiffFiles...)...)

// owns accepts the files named and suppliers/*.csv.
func owns(files ...string) func(rel string, d fs.DirEntry) bool {
	return func(rel string, d fs.DirEntry) bool {
		if slices.Contains(files, rel) {
			return !d.IsDir()
		}
		if rel == "suppliers" {
			return d.IsDir()
		}
		dir, name := filepath.Split(rel)
		return filepath.Clean(dir) == "suppliers" && !d.IsDir() && strings.HasSuffix(name, ".csv")
	}
}

// SupplierFile returns the file name of a supplier's list: its id where that
// is a safe name, else a cleaned id and a hash; "no_supplier.csv" for
// installations without one.
func SupplierFile(supplier string) string {
	if supplier == "" {
		return "no_supplier.csv"
	}
	clean := []byte(supplier)
	safe := len(clean) <= 64
	for i, c := range clean {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			clean[i], safe = '_', false
		}
	}
	if safe && supplier != "no_supplier" {
		return supplier + ".csv"
	}
	if len(clean) > 40 {
		clean = clean[:40]
	}
	return fmt.Sprintf("%s-%08x.csv", clean, uint32(xxhash.Sum64String(supplier)))
}

func csvLine(b []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = value.AppendCSVField(b, f)
	}
	return append(b, '\n')
}

func (r *Report) summaryCSV() []byte {
	b := []byte("decision,reason,clause,cohort,category,installations\n")
	for _, l := range r.categories() {
		b = csvLine(b, l.Decision.String(), l.Reason.String(), l.Clause, l.Cohort.String(), l.Reason.Category(), strconv.Itoa(l.N))
	}
	return b
}

func (r *Report) bySMSOCSV() []byte {
	b := []byte("smso,decision,reason,installations\n")
	for _, l := range r.smsos() {
		b = csvLine(b, l.SMSO, l.Decision.String(), l.Reason.String(), strconv.Itoa(l.N))
	}
	return b
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func (r *Report) summaryMarkdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# SMETS1 installations by category\n\n")
	if r.onlySupplier {
		fmt.Fprintf(&b, "Responsible Supplier %s only.\n\n", mdCell(orNone(r.supplier)))
	}
	fmt.Fprintf(&b, "%s decided.\n\n", Installations(r.total))
	if note := r.notInForceNote(); note != "" {
		b.WriteString(note + "\n\n")
	}
	b.WriteString("| Category | Exclusion type | Clause | Cohort | Number of SMETS1 Installations |\n|---|---|---|---|---:|\n")
	for _, l := range r.categories() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(l.Reason.Category()), mdCell(l.Decision.Title()),
			l.Clause, l.Cohort, value.Thousands(l.N))
	}
	b.WriteString("\n## By decision\n\n| Decision | Exclusion type | Number of SMETS1 Installations |\n|---|---|---:|\n")
	for _, l := range r.decisions() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", l.Decision, mdCell(l.Decision.Title()), value.Thousands(l.N))
	}
	fmt.Fprintf(&b, "| all | | %s |\n", value.Thousands(r.total))
	b.WriteString("\n## By SMSO\n\n| SMSO | Decision | Reason | Number of SMETS1 Installations |\n|---|---|---|---:|\n")
	for _, l := range r.smsos() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(l.SMSO), l.Decision, l.Reason, value.Thousands(l.N))
	}
	b.WriteString("\n## Largest duplicate groups\n\n")
	groups := r.LargestGroups()
	if len(groups) == 0 {
		b.WriteString("No duplicate group.\n")
		return b.Bytes()
	}
	fmt.Fprintf(&b, "The %d largest, and every other of more than %d installations: a real duplicate group has two or three members.\n\n",
		output.ListedGroups, output.LargeGroup)
	b.WriteString("| Group | Installations | Members by SMSO |\n|---|---:|---|\n")
	for _, g := range groups {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", g.Key, value.Thousands(g.Installations), mdCell(g.Members()))
	}
	return b.Bytes()
}

// SupplierHeader is the header of a supplier's list; SupplierHeaderNoGUIDs
// that of a list whose device GUIDs are not known (no store).
const (
	SupplierHeader        = "smso,installation_id,cohort,decision,reason,clause,mpan,mprn,notify_supplier,device_guids\n"
	SupplierHeaderNoGUIDs = "smso,installation_id,cohort,decision,reason,clause,mpan,mprn,notify_supplier\n"
)

// supplierCSV returns a supplier's list of rows, with the device_guids
// column when the GUIDs are known.
func (r *Report) supplierCSV(rows []Row) []byte {
	if !r.guids {
		b := []byte(SupplierHeaderNoGUIDs)
		for _, x := range rows {
			b = csvLine(b, x.SMSO, x.InstallationID, x.Cohort.String(), x.Decision.String(), x.Reason.String(), x.Clause,
				x.MPAN.String(), x.MPRN.String(), value.YN(x.Notify))
		}
		return b
	}
	b := []byte(SupplierHeader)
	for _, x := range rows {
		b = AppendSupplierRow(b, x)
	}
	return b
}

// AppendSupplierRow appends r as a line of a supplier's list whose device
// GUIDs are known (SupplierHeader).
func AppendSupplierRow(b []byte, r Row) []byte {
	return csvLine(b, r.SMSO, r.InstallationID, r.Cohort.String(), r.Decision.String(), r.Reason.String(), r.Clause,
		r.MPAN.String(), r.MPRN.String(), value.YN(r.Notify), strings.Join(r.GUIDs, " "))
}
