// Package ingest reads SMSO installation files (FORMATS.md §1) into an
// engine.Population: it splits the input into blocks at record boundaries,
// parses and validates the blocks in parallel, and gathers each
// installation's rows wherever they stand in the input. Rows that break the
// contract become Rejects, never errors of the run.
//
// Every file s1resolve reads goes through one set of rules here: the line
// ends of lineend.go (LF, CRLF, `\r\r\n`, CR alone), the records of
// csv.go (RFC 4180), the one header reader of table.go (BOM, `sep=,` line,
// other separators, names read like values, columns matched against a
// Kind's descriptor), and the faults of problem.go as named values
// (HeaderError, RowError and their Err* values). Reader gives the same
// rules to the small files and to the decisions files read back (package
// output).
//
// Files: load.go is the API (Load, Options, Result) and the reader and
// parser goroutines; open.go opens a file, standard input or gzip;
// read.go cuts a file into blocks of whole records (mapped.go, for a
// plain file mapped into memory); lineend.go finds line ends; csv.go splits
// records into fields; table.go reads headers against the kinds of file;
// header.go maps an installations file's columns; row.go validates one
// row; parse.go turns a block into a chunk of rows and runs of one
// installation (its rows kept off the Go heap, rowmem.go); gather.go and
// finish.go gather the runs into installations in name order, lay their
// devices out in input order and explain every reject; reader.go reads a file row by
// row; registry.go and inventory.go read the registration, supplier and
// SMETS2+ inventory files.
package ingest
