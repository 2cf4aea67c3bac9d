package web

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// TestContrastMeetsWCAGAA measures the page's colours instead of trusting the style sheet's comment:
// every text colour against every background it is drawn on reaches 4.5:1 (WCAG 2.1 AA, normal text).
func TestContrastMeetsWCAGAA(t *testing.T) {
	// The measure itself: black on white is 21:1, #767676 on white just reaches 4.5:1.
	if r := contrast("#000000", "#ffffff"); math.Abs(r-21) > 0.01 {
		t.Fatalf("contrast(black, white) = %.2f, want 21", r)
	}
	if r := contrast("#767676", "#ffffff"); r < 4.5 || r > 4.6 {
		t.Fatalf("contrast(#767676, white) = %.2f, want 4.54", r)
	}
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	color := func(v string) string {
		if c, ok := vars[v]; ok {
			return c
		}
		return v
	}
	backgrounds := []string{"bg", "#fdf0f0", "#f4f4f4"} // the page, an alert, a transcript
	for _, fg := range []string{"fg", "muted", "link", "ok", "warn", "fail"} {
		for _, bg := range backgrounds {
			if r := contrast(color(fg), color(bg)); r < 4.5 {
				t.Errorf("--%s (%s) on %s: %.2f:1, below 4.5:1", fg, color(fg), color(bg), r)
			}
		}
	}
	if r := contrast("#ffffff", "#1a5fb4"); r < 4.5 { // the buttons
		t.Errorf("button text: %.2f:1, below 4.5:1", r)
	}
	for _, v := range []string{"fg", "bg", "muted", "link", "ok", "warn", "fail"} {
		if vars[v] == "" {
			t.Errorf("the style sheet defines no --%s", v)
		}
	}
}

// contrast is the WCAG 2.1 contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}
