// Package value holds the value types of the contract (docs/FORMATS.md),
// one file each, with the parser and the printer side by side: MPAN and MPRN
// keys (key.go), device GUIDs (guid.go), install dates (date.go), the listed
// words matched without regard to case and Y/N (word.go), rejects (reject.go)
// the CSV and JSON spellings of text (text.go), and numbers as people read
// them, grouped in thousands (number.go). Every package that reads
// or prints one of them uses this one; none depends on anything above it.
package value
