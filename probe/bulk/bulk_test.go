package bulk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
)

// TestRunCompletionOrder: results come as they complete, with their input line numbers; blank and
// comment lines are skipped but counted.
func TestRunCompletionOrder(t *testing.T) {
	in := "# customers\nslow.example\n\nfast.example\n"
	release := make(chan struct{})
	var got []string
	st, err := Run(context.Background(), strings.NewReader(in), Options{Concurrency: 2},
		func(_ context.Context, l Line) string {
			if l.Text == "slow.example" {
				<-release // finishes only after fast.example was emitted
			}
			return l.Text
		},
		func(l Line, v string) error {
			got = append(got, fmt.Sprintf("%d:%s", l.Number, v))
			if v == "fast.example" {
				close(release)
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "4:fast.example 2:slow.example" {
		t.Errorf("emitted %v, want completion order with line numbers", got)
	}
	if st != (Stats{Lines: 4, Targets: 2}) {
		t.Errorf("stats %+v", st)
	}
}

// TestRunConcurrencyBound: never more than Concurrency jobs at once, and the reader does not run ahead of
// the free slots (what keeps a 100,000-line list out of memory).
func TestRunConcurrencyBound(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&b, "d%d.example\n", i)
	}
	var mu sync.Mutex
	running, peak := 0, 0
	full := make(chan struct{}) // closed once three jobs run together: the first three wait for it
	var once sync.Once
	_, err := Run(context.Background(), strings.NewReader(b.String()), Options{Concurrency: 3},
		func(_ context.Context, l Line) int {
			mu.Lock()
			running++
			peak = max(peak, running)
			if running == 3 {
				once.Do(func() { close(full) })
			}
			mu.Unlock()
			<-full
			mu.Lock()
			running--
			mu.Unlock()
			return l.Number
		},
		func(Line, int) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if peak != 3 {
		t.Errorf("%d jobs ran at once, want 3 (the limit, reached)", peak)
	}
}

func TestRunStopsWhenEmitFails(t *testing.T) {
	in := strings.Repeat("x.example\n", 100)
	calls := 0
	boom := errors.New("stdout closed")
	_, err := Run(context.Background(), strings.NewReader(in), Options{Concurrency: 1},
		func(context.Context, Line) int { return 0 },
		func(Line, int) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("err %v after %d emits, want the emit error after one", err, calls)
	}
}

func TestRunLongLine(t *testing.T) {
	in := "a.example\n" + strings.Repeat("x", MaxLineLength+10) + "\nb.example"
	var lines []Line
	_, err := Run(context.Background(), strings.NewReader(in), Options{Concurrency: 1},
		func(_ context.Context, l Line) Line { return l },
		func(l Line, _ Line) error { lines = append(lines, l); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || !errors.Is(lines[1].Err, ErrLineTooLong) || lines[1].Number != 2 || lines[2].Text != "b.example" || lines[2].Number != 3 {
		t.Errorf("lines %+v", lines)
	}
}

// TestShards: the shards of a list are disjoint and together are the whole list.
func TestShards(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "customer%d.example\n", i)
	}
	seen := map[string]int{}
	for k := 1; k <= 4; k++ {
		sh, err := ParseShard(fmt.Sprintf("%d/4", k))
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		st, err := Run(context.Background(), strings.NewReader(b.String()), Options{Concurrency: 8, Shard: sh},
			func(_ context.Context, l Line) string { return l.Text },
			func(_ Line, v string) error { mu.Lock(); seen[v]++; mu.Unlock(); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if st.Targets+st.OtherShards != 1000 || st.Targets < 150 {
			t.Errorf("shard %d/4: %+v (the hash should spread 1000 lines roughly evenly)", k, st)
		}
	}
	if len(seen) != 1000 {
		t.Errorf("the shards covered %d of 1000 lines", len(seen))
	}
	for v, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d shards", v, n)
		}
	}
	for _, bad := range []string{"0/4", "5/4", "1/0", "x/y", "3"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

type pipeDialer struct {
	mu     sync.Mutex
	dialed []string
}

func (p *pipeDialer) DialContext(_ context.Context, _, address string) (net.Conn, error) {
	p.mu.Lock()
	p.dialed = append(p.dialed, address)
	p.mu.Unlock()
	a, b := net.Pipe()
	go func() { _, _ = b.Read(make([]byte, 1)); b.Close() }()
	return a, nil
}

// TestLimitDialer: a second connection to one address waits for the first to close; other addresses do
// not wait; a wait ends with its context.
func TestLimitDialer(t *testing.T) {
	d := &LimitDialer{Next: &pipeDialer{}, PerAddress: 1}
	c1, err := d.DialContext(context.Background(), "tcp", "192.0.2.1:993")
	if err != nil {
		t.Fatal(err)
	}
	other, err := d.DialContext(context.Background(), "tcp", "192.0.2.2:993")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.DialContext(ctx, "tcp", "192.0.2.1:587"); !errors.Is(err, context.Canceled) {
		t.Errorf("a dial beyond the limit returned %v, want to wait until its context ended", err)
	}
	second := make(chan error)
	go func() {
		c, err := d.DialContext(context.Background(), "tcp", "192.0.2.1:465")
		if err == nil {
			c.Close()
		}
		second <- err
	}()
	c1.Close()
	if err := <-second; err != nil {
		t.Error(err)
	}
	other.Close()
	if n := d.InUse(); n != 0 {
		t.Errorf("%d addresses still tracked after every connection closed", n)
	}
}
