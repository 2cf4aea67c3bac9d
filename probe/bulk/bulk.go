// Package bulk runs one job per line of a target list (`mailcheck probe --from-file`): thousands of
// domains, streamed, never all held in memory. It reads a line only when a slot is free, hands each
// result on as soon as it is done (completion order, with the input line number), and can take a
// stable share of the list (--shard K/N), so that an engine that already schedules work (a CI matrix,
// GNU parallel, a Kubernetes Indexed Job) splits the list without coordination.
package bulk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
	"sync"
)

// MaxLineLength bounds one input line; a longer one is reported as an error line, not read into memory.
const MaxLineLength = 4096

// Options tune a run.
type Options struct {
	// Concurrency is how many lines are worked on at once (at least 1).
	Concurrency int
	// Shard is this run's share of the list, the zero value meaning all of it.
	Shard Shard
}

// Shard is share K of N (1 <= K <= N) of a list: the lines whose text hashes (FNV-1a, 64 bit) to K-1
// modulo N. The hash is of the line's text, not its number, so inserting a line elsewhere does not move
// the others between shards.
type Shard struct{ K, N int }

// ParseShard reads "K/N".
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(strings.TrimSpace(k))
	ni, err2 := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
		return Shard{}, fmt.Errorf("--shard %q: write K/N with 1 <= K <= N, e.g. 2/8 for the second of eight shares", s)
	}
	return Shard{K: ki, N: ni}, nil
}

// String is "K/N", or "" for the whole list.
func (s Shard) String() string {
	if s.N <= 1 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Has says whether a line's text belongs to the shard.
func (s Shard) Has(text string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(text))
	return h.Sum64()%uint64(s.N) == uint64(s.K-1)
}

// Line is one target of the list.
type Line struct {
	// Number is the line's number in the input, from 1.
	Number int
	// Text is the line without surrounding white space.
	Text string
	// Err is set when the line could not be read as a target (it is longer than MaxLineLength).
	Err error
}

// Stats count what a run read.
type Stats struct {
	// Lines is every line read, blank and comment lines included.
	Lines int
	// Targets is the lines of this shard that were worked on.
	Targets int
	// OtherShards is the target lines left to other shards.
	OtherShards int
}

// ErrLineTooLong is the Err of a line longer than MaxLineLength.
var ErrLineTooLong = fmt.Errorf("line longer than %d bytes", MaxLineLength)

// Run calls do for every target line of r in the shard (blank lines and lines starting with # are
// skipped), at most opt.Concurrency at once, and emit with each result as it completes; emit is called
// from one goroutine at a time. An error from emit (stdout gone) stops the run; so does ctx. Run returns
// once every started job has been emitted.
func Run[T any](ctx context.Context, r io.Reader, opt Options, do func(context.Context, Line) T, emit func(Line, T) error) (Stats, error) {
	var st Stats
	if opt.Concurrency < 1 {
		return st, errors.New("bulk: concurrency must be at least 1")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type done struct {
		line Line
		v    T
	}
	results := make(chan done, opt.Concurrency)
	emitted := make(chan error, 1)
	go func() {
		var err error
		for d := range results {
			if err == nil {
				if err = emit(d.line, d.v); err != nil {
					cancel()
				}
			}
		}
		emitted <- err
	}()

	sem := make(chan struct{}, opt.Concurrency)
	var wg sync.WaitGroup
	br := bufio.NewReaderSize(r, MaxLineLength+1)
	var readErr error
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err == io.EOF && line == nil {
			break
		}
		if err != nil && err != io.EOF && !errors.Is(err, ErrLineTooLong) {
			readErr = err
			break
		}
		st.Lines++
		l := Line{Number: n}
		if errors.Is(err, ErrLineTooLong) {
			l.Err = err
		} else {
			l.Text = strings.TrimSpace(string(line))
			if l.Text == "" || strings.HasPrefix(l.Text, "#") {
				continue
			}
			if !opt.Shard.Has(l.Text) {
				st.OtherShards++
				continue
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		st.Targets++
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := do(ctx, l)
			// The result is handed on before the slot is freed, so a later job can never overtake it:
			// with Concurrency 1 the output is in input order (a slow emit holds the slots: backpressure).
			results <- done{l, v}
			<-sem
		}()
		if err == io.EOF {
			break
		}
	}
	wg.Wait()
	close(results)
	if err := <-emitted; err != nil {
		return st, err
	}
	if readErr != nil {
		return st, readErr
	}
	return st, ctx.Err()
}

// readLine returns the next line without its end; a line longer than MaxLineLength is skipped up to its
// end and reported as ErrLineTooLong.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
		return []byte{}, ErrLineTooLong
	}
	if err == io.EOF && len(line) == 0 {
		return nil, io.EOF
	}
	return []byte(strings.TrimRight(string(line), "\r\n")), err
}
