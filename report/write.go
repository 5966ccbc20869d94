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
	"github.com/s1resolve/s1resolve/value"
)

// Write writes every report file into dir, creating it: summary.csv,
// summary.md, by_smso.csv, report.html and suppliers/<supplier>.csv. dir is
// meant to be an output.Dir's Path, swapped into place whole once written,
// so the files are written plainly.
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
		files[filepath.Join("suppliers", SupplierFile(supplier))] = supplierCSV(rows)
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
	fmt.Fprintf(&b, "# SMETS1 installations by category\n\n%d installations decided.\n\n", r.total)
	if note := r.notInForceNote(); note != "" {
		b.WriteString(note + "\n\n")
	}
	b.WriteString("| Category | Exclusion type | Clause | Cohort | Number of SMETS1 Installations |\n|---|---|---|---|---:|\n")
	for _, l := range r.categories() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n", mdCell(l.Reason.Category()), mdCell(l.Decision.Title()),
			l.Clause, l.Cohort, l.N)
	}
	b.WriteString("\n## By SMSO\n\n| SMSO | Decision | Reason | Number of SMETS1 Installations |\n|---|---|---|---:|\n")
	for _, l := range r.smsos() {
		fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", mdCell(l.SMSO), l.Decision, l.Reason, l.N)
	}
	return b.Bytes()
}

// SupplierHeader is the header line of a supplier's list
// (suppliers/<supplier>.csv).
const SupplierHeader = "smso,installation_id,cohort,decision,reason,clause,mpan,mprn,notify_supplier,device_guids\n"

// AppendSupplierRow appends r as a line of a supplier's list.
func AppendSupplierRow(b []byte, r Row) []byte {
	return csvLine(b, r.SMSO, r.InstallationID, r.Cohort.String(), r.Decision.String(), r.Reason.String(), r.Clause,
		r.MPAN.String(), r.MPRN.String(), value.YN(r.Notify), strings.Join(r.GUIDs, " "))
}

func supplierCSV(rows []Row) []byte {
	b := []byte(SupplierHeader)
	for _, r := range rows {
		b = AppendSupplierRow(b, r)
	}
	return b
}
