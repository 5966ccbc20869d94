package ingest

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// Options tune a Load.
type Options struct {
	// Workers bounds the parse goroutines; zero means runtime.NumCPU().
	Workers int
	// BlockSize is the size of the blocks the input is split into; zero
	// means 8 MiB. A record longer than a block grows its block.
	BlockSize int
	// Stdin is read for the path "-" (Stdin); nil means os.Stdin.
	Stdin io.Reader
	// DropPositions leaves Population.RowFile and RowLine nil: only the
	// store needs them (126 MB at 5M installations).
	DropPositions bool
	// OnRead, when set, is told of each file read to its end: its size and
	// the xxhash64 of its bytes as they are on disk. It may be called from
	// several goroutines at once.
	OnRead func(path string, bytes int64, xxh64 uint64)
	// ReturnMemory, when set, collects the garbage and hands the freed memory
	// back to the system: called once the name sort's keys are garbage,
	// and once the parsed chunks are (a gigabyte at 5M installations).
	// Freed memory kept by the heap is scattered between the names that
	// live on, too small for the large tables that come next, and would
	// count in the run's memory beside them. A process-wide setting,
	// decided by the command.
	ReturnMemory func()
}

// Stats counts what a Load read.
type Stats struct {
	Files                   int
	Bytes                   int64 // uncompressed bytes, headers included
	Rows                    int64 // records after the headers, blank lines excepted
	BlankLines              int64
	Installations           int // valid installations
	RejectedInstallations   int
	RejectedRows            int
	RowsWithoutInstallation int // rejected rows whose smso or installation_id could not be read
}

// Result is what Load returns: the valid population and the rejects, sorted
// by file then line.
type Result struct {
	Population *engine.Population
	Rejects    []value.Reject
	Stats      Stats
}

// Progress is read by a caller that reports progress while Load runs.
type Progress struct {
	Bytes atomic.Int64
	Rows  atomic.Int64
}

// Load reads the installation files at paths into a population. It fails only
// on what stops a run: an unreadable file or a bad header (ErrHeader); bad
// rows become Rejects.
func Load(ctx context.Context, paths []string, opt Options, prog *Progress) (*Result, error) {
	if len(paths) > 1<<16-1 {
		return nil, fmt.Errorf("too many input files (%d)", len(paths))
	}
	if prog == nil {
		prog = &Progress{}
	}
	l := &loader{
		opt:   opt,
		paths: paths,
		prog:  prog,
	}
	if l.opt.Workers <= 0 {
		l.opt.Workers = runtime.NumCPU()
	}
	if l.opt.BlockSize <= 0 {
		l.opt.BlockSize = 8 << 20
	}
	l.free = make(chan []byte, 2*l.opt.Workers+2)
	l.prints = make([]textPrint, len(paths))
	defer l.freeChunks() // when the load fails; layout frees them as it goes
	if err := l.read(ctx); err != nil {
		return nil, err
	}
	if err := l.sameText(); err != nil {
		return nil, err
	}
	return l.finish(ctx)
}

// freeChunks frees the rows and runs of every chunk still held.
func (l *loader) freeChunks() {
	for _, c := range l.chunks {
		if c != nil {
			c.free()
		}
	}
}

type loader struct {
	opt   Options
	paths []string
	prog  *Progress
	free  chan []byte

	prints []textPrint // by file: what tells two files of the same text

	mu       sync.Mutex
	chunks   []*chunk
	blank    int64
	mappings []*mapped // unmapped once every block is parsed
}

// parse parses one block; a block of a mapping leaves the process's
// memory once parsed, and a fault in it (the file shrank) is an error.
func (l *loader) parse(p *parser, b *block) (c *chunk, blank int64, err error) {
	defer func() {
		if p.c != nil { // the parse stopped midway: its rows are no one's
			p.c.free()
			p.c = nil
		}
	}()
	if b.mapped {
		defer recoverFault(l.paths[b.file], b.data, &err)
	}
	c, blank = p.parseBlock(b)
	if b.mapped {
		dropPages(b.data)
	}
	return c, blank, nil
}

func (l *loader) read(ctx context.Context) error {
	defer func() {
		for _, m := range l.mappings { // every goroutine that read them is done
			m.unmap()
		}
		l.mappings = nil
	}()
	g, gctx := errgroup.WithContext(ctx)
	blocks := make(chan *block, l.opt.Workers)
	// The files are read side by side, up to one reader per worker: a
	// gzipped file is decompressed by its reader, so several gzipped files
	// decompress in parallel, overlapped with the parsing of their blocks.
	// Blocks are numbered within their file; finish orders the chunks by
	// file, then number.
	readers := min(len(l.paths), max(l.opt.Workers, 1))
	next := make(chan int, len(l.paths))
	for i := range l.paths {
		next <- i
	}
	close(next)
	var readersDone sync.WaitGroup
	for range readers {
		readersDone.Add(1)
		g.Go(func() error {
			defer readersDone.Done()
			for i := range next {
				seq := 0
				if err := l.readFile(gctx, uint16(i), l.paths[i], &seq, blocks); err != nil {
					return err
				}
			}
			return nil
		})
	}
	go func() { readersDone.Wait(); close(blocks) }()
	for w := 0; w < l.opt.Workers; w++ {
		g.Go(func() error {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // a mapped file that shrinks: see mapped.go
			p := &parser{}
			for b := range blocks {
				if err := gctx.Err(); err != nil {
					return err
				}
				c, blank, err := l.parse(p, b)
				if err != nil {
					return err
				}
				l.prog.Rows.Add(int64(len(c.rows)))
				l.recycle(b.owner)
				l.mu.Lock()
				l.chunks = append(l.chunks, c)
				l.blank += blank
				l.mu.Unlock()
			}
			return nil
		})
	}
	return g.Wait()
}
