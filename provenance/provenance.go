// Package provenance says what produced an output or a store: the build of
// s1resolve (module version and VCS revision) and the files read, each with
// its size and xxhash64, so that a decision sent to a supplier can be traced
// to its inputs and reproduced with the same build.
package provenance

import (
	"fmt"
	"runtime/debug"
)

// Build says which build of s1resolve made an output: the module version
// and the VCS revision from the build information. It is recorded in the
// run summary and the store, so that a decision sent to a supplier can be
// reproduced with the same build.
type Build struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"revision_time,omitempty"`
	Modified bool   `json:"modified,omitempty"` // built from a tree with uncommitted changes
	Go       string `json:"go"`
}

// CurrentBuild returns the build of the running binary.
func CurrentBuild() Build {
	b := Build{Module: "github.com/s1resolve/s1resolve", Version: "(unknown)"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module, b.Version, b.Go = info.Main.Path, info.Main.Version, info.GoVersion
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

// String prints the build on one line.
func (b Build) String() string {
	s := fmt.Sprintf("s1resolve %s (%s)", b.Version, b.Module)
	if b.Revision != "" {
		s += " revision " + b.Revision
		if b.Time != "" {
			s += " of " + b.Time
		}
		if b.Modified {
			s += ", with uncommitted changes"
		}
	}
	return s + ", " + b.Go
}

// Input is one file a run read, as it was: its name as given, its size in
// bytes and the xxhash64 of them (of the compressed bytes for gzip).
type Input struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	XXH64  string `json:"xxh64"`
	Reason string `json:"as"` // installations, registration, suppliers, smets2, rules
	// Text is the size and xxhash64 of the text a gzip file holds (the
	// same as Bytes and XXH64 for a file that is not gzip), where it is
	// recorded: a run's decisions, so that a gzipped or gunzipped copy of
	// them is still told as its decisions.
	Text *Digest `json:"text,omitempty"`
}

// Digest is the size in bytes and the xxhash64 of a text.
type Digest struct {
	Bytes int64  `json:"bytes"`
	XXH64 string `json:"xxh64"`
}

// SameFile reports whether got is the file want records, byte for byte or,
// where both record it, by the text they hold (a gzipped or gunzipped
// copy).
func SameFile(want, got Input) bool {
	if want.Bytes == got.Bytes && want.XXH64 == got.XXH64 {
		return true
	}
	return want.Text != nil && got.Text != nil && *want.Text == *got.Text
}
