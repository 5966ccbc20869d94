// Package ingest reads SMSO installation files (FORMAT.md §1) into an
// engine.Population: it splits the input into blocks at record boundaries,
// parses and validates the blocks in parallel, and gathers each
// installation's rows wherever they stand in the input. Rows that break the
// contract become Rejects, never errors of the run.
//
// Files: load.go is the API (Load, Options, Result) and the reader and
// parser goroutines; open.go opens a file, standard input or gzip and
// checks the header is text; read.go cuts a file into blocks of whole
// records; csv.go splits records into fields (RFC 4180); header.go maps
// columns by name; row.go validates one row; parse.go turns a block into a
// chunk of rows and runs of one installation; gather.go and finish.go
// gather the runs into installations in name order and explain every
// reject; registry.go reads the registration and supplier files.
package ingest
