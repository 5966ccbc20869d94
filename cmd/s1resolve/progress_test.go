package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/s1resolve/s1resolve/pipeline"
)

func TestProgressLine(t *testing.T) {
	for _, c := range []struct {
		phase       string
		el          time.Duration
		read, total int64
		want        []string
	}{
		{"load", 10 * time.Second, 250e6, 1000e6, []string{"[=======", " 25%", "250/1,000 MB", "10s, 30s left"}},
		{"load", 3 * time.Second, 5e6, 0, []string{"load", "5 MB read", "3s"}},
		{"load", 3 * time.Second, 12345e6, 0, []string{"12,345 MB read"}},
		{"store", 2 * time.Second, 1000e6, 1000e6, []string{"store", "2s"}},
	} {
		got := progressLine(c.phase, c.el, c.read, c.total)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("progressLine(%s, %v, %d, %d) = %q, lacks %q", c.phase, c.el, c.read, c.total, got, w)
			}
		}
	}
}

// TestNoProgressOffATerminal: nothing is printed when stderr is not a
// terminal (a file, a pipe, a buffer).
func TestNoProgressOffATerminal(t *testing.T) {
	var b bytes.Buffer
	stop := startProgress(&pipeline.Progress{}, 100, &b)
	time.Sleep(1300 * time.Millisecond)
	stop()
	if b.Len() != 0 {
		t.Fatalf("progress printed %q off a terminal", b.String())
	}
}
