package web

import (
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestQuotaConcurrentAndHourly: a user's checks are bounded at once and per hour, each user on their own.
func TestQuotaConcurrentAndHourly(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	q := newQuota(2, 3, c.now)
	r1, err1 := q.take("alice")
	_, err2 := q.take("alice")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if _, err := q.take("alice"); err == nil || !strings.Contains(err.Error(), "--max-concurrent") {
		t.Fatalf("third at once: %v, want a refusal naming --max-concurrent", err)
	}
	if _, err := q.take("bob"); err != nil {
		t.Fatalf("bob is limited by alice's checks: %v", err)
	}
	r1()
	r1() // a second release changes nothing
	r3, err := q.take("alice")
	if err != nil {
		t.Fatalf("after one finished: %v", err)
	}
	r3()
	if _, err := q.take("alice"); err == nil || !strings.Contains(err.Error(), "--max-per-hour") {
		t.Fatalf("fourth in the hour: %v, want a refusal naming --max-per-hour", err)
	}
	c.t = c.t.Add(time.Hour + time.Second)
	if _, err := q.take("alice"); err != nil {
		t.Fatalf("an hour later: %v", err)
	}
}

func TestFailuresWindow(t *testing.T) {
	c := &clock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)}
	f := newFailures(2, 10*time.Minute, c.now)
	f.add("u:alice")
	c.t = c.t.Add(time.Minute)
	f.add("u:alice")
	if b, left := f.blocked("u:alice"); !b || left != 9*time.Minute {
		t.Fatalf("after 2 failures: blocked %v for %s, want true for 9m", b, left)
	}
	if b, _ := f.blocked("u:bob"); b {
		t.Fatal("bob is blocked")
	}
	c.t = c.t.Add(9 * time.Minute)
	if b, _ := f.blocked("u:alice"); b {
		t.Fatal("still blocked after the first failure left the window")
	}
}
