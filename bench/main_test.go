//go:build linux

package main

import (
	"strings"
	"testing"
	"time"
)

func TestPrintVerdicts(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var out []time.Duration
		for _, x := range v {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	for _, tc := range []struct {
		name       string
		concurrent []time.Duration
		sequential []time.Duration
		pass       bool
		want       []string
	}{
		{"both met", ms(430, 410, 420), ms(3000, 3100, 3200), true,
			[]string{"concurrent, median                 420ms", "0.93  target <= 1.25  PASS", "0.14  target <= 0.50  PASS"}},
		{"over the limit", ms(600, 570, 580), ms(3000), false,
			[]string{"1.29  target <= 1.25  FAIL", "0.19  target <= 0.50  PASS"}},
		{"no gain over sequential", ms(400), ms(700), false,
			[]string{"0.89  target <= 1.25  PASS", "0.57  target <= 0.50  FAIL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &results{domain: "sandbox.test", rtt: 50 * time.Millisecond, runs: len(tc.concurrent), concurrent: tc.concurrent, sequential: tc.sequential}
			var out strings.Builder
			if got := r.print(&out); got != tc.pass {
				t.Errorf("print = %v, want %v", got, tc.pass)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3 = %v", got)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 2 {
		t.Errorf("median of 4 = %v, want the mean of the middle two, truncated", got)
	}
}
