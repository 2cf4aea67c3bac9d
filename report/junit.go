package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/mailcheck/mailcheck/probe/check"
)

// The JUnit XML schema as CI systems read it (Jenkins, GitLab, GitHub test reporters; the de-facto schema
// of Ant's JUnit task): testsuites > testsuite > testcase > failure. One testsuite per target, one
// testcase per check, classname = the target's name, name = the check's name.

type junitTestsuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Skipped  int              `xml:"skipped,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []junitTestsuite `xml:"testsuite"`
}

type junitTestsuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitTestcase `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestcase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

// junitText is element text in CDATA, so that the explanation's lines stay lines in the file.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

// JUnit writes the run as JUnit XML. A failed check is a <failure> whose message is "expected ...; found
// ..." and whose text is the catalogue's explanation and fix; JUnit has no warning, so a warning is a
// passing test case with the same text in <system-out>.
func JUnit(w io.Writer, run *check.Run) error {
	doc := junitTestsuites{Name: "mailcheck check", Time: seconds(run.DurationMS)}
	for _, t := range run.Targets {
		suite := junitTestsuite{Name: t.Name, Time: seconds(t.TimeMS), Properties: []junitProperty{
			{Name: "endpoint", Value: t.Endpoint}, {Name: "expect", Value: t.Expect},
		}}
		for _, c := range t.Checks {
			tc := junitTestcase{Name: c.Check, Classname: t.Name, Time: seconds(c.TimeMS)}
			switch c.Status {
			case check.Fail:
				typ := c.Check
				if c.Problem != nil {
					typ = c.Problem.Code
				}
				tc.Failure = &junitFailure{Message: c.Message, Type: typ, Text: junitDetail(c)}
				suite.Failures++
			case check.Warn:
				tc.SystemOut = &junitText{Text: "WARNING: " + junitDetail(c)}
			}
			suite.Cases = append(suite.Cases, tc)
			suite.Tests++
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Suites = append(doc.Suites, suite)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitDetail is the message, then what the problem means and what to do, and its code.
func junitDetail(c check.Result) string {
	b := &strings.Builder{}
	b.WriteString(c.Message)
	if p := c.Problem; p != nil {
		fmt.Fprintf(b, "\nWhat it means: %s\nWhat to do: %s\nProblem code: %s", p.Explanation, p.Fix, p.Code)
	}
	return b.String()
}
