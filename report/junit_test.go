package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

type parsedSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitRoundTrip(t *testing.T) {
	run := sampleRun()
	// Text that must survive XML: markup, quotes and the end of a CDATA section.
	run.Targets[2].Checks[0].Found = `<b>"a" & ]]> b</b>`
	run.Targets[2].Checks[0].Message = "expected x; found " + run.Targets[2].Checks[0].Found
	var b strings.Builder
	if err := JUnit(&b, run); err != nil {
		t.Fatal(err)
	}
	var doc parsedSuites
	if err := xml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if doc.Tests != 4 || doc.Failures != 1 || len(doc.Suites) != 3 {
		t.Fatalf("tests %d failures %d suites %d", doc.Tests, doc.Failures, len(doc.Suites))
	}
	warn := doc.Suites[1].Cases[0]
	if warn.Failure != nil || !strings.HasPrefix(warn.SystemOut, "WARNING: expected x; found 10 days left\nWhat it means: ") || !strings.HasSuffix(warn.SystemOut, "Problem code: cert_expiring_soon") {
		t.Errorf("warning case: %+v", warn)
	}
	fail := doc.Suites[2].Cases[0]
	if fail.Failure == nil || fail.Failure.Type != "absent" || fail.Failure.Message != run.Targets[2].Checks[0].Message || fail.Failure.Text != run.Targets[2].Checks[0].Message {
		t.Errorf("failure case: %+v", fail.Failure)
	}
	if fail.Classname != "no POP3" || fail.Name != "absent" || fail.Time != "0.002" {
		t.Errorf("case attributes: %+v", fail)
	}
	if doc.Suites[0].Cases[0].Failure != nil || doc.Suites[0].Cases[0].SystemOut != "" {
		t.Errorf("a passing case carries text: %+v", doc.Suites[0].Cases[0])
	}
}
