// Command testsummary reads `go test -json` on standard input, prints a compact log (package
// results, build errors, and the full output of every failed test) and closes with one line
// `go test: N passed, N failed, N skipped`. It exits 1 when a test or a package failed, or when
// the input held no test event at all, so `go test -json ./... | go run ./scripts/testsummary`
// is a complete CI step. Pass -v to print the output of passing tests too.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// event is the subset of test2json's TestEvent used here.
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // set on build-output and build-fail events
}

// counts is the tally of one run.
type counts struct {
	Passed, Failed, Skipped int
	// FailedPackages counts packages that failed without a failing test of their own
	// (build errors, a panic in TestMain, a timeout).
	FailedPackages int
	// NonJSON counts input lines that were not test events (printed as they are).
	NonJSON int
}

func (c counts) ok() bool {
	return c.Failed == 0 && c.FailedPackages == 0 && c.Passed+c.Skipped > 0
}

func main() {
	verbose := flag.Bool("v", false, "print the output of passing tests too")
	flag.Parse()
	c, err := summarize(os.Stdin, os.Stdout, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	if !c.ok() {
		os.Exit(1)
	}
}

// summarize reads test2json events from r and writes the log and the closing line to w.
func summarize(r io.Reader, w io.Writer, verbose bool) (counts, error) {
	var c counts
	// Output of a running test is held until the test ends: printed if it failed.
	held := map[string][]string{}
	failedTests := map[string]int{} // package -> failed tests in it
	var failedNames []string

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			c.NonJSON++
			fmt.Fprintln(w, string(line))
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output":
			fmt.Fprint(w, e.Output)
		case "output":
			switch {
			case e.Test != "":
				held[key] = append(held[key], e.Output)
				if verbose {
					fmt.Fprint(w, e.Output)
				}
			case isPackageNoise(e.Output):
			default:
				fmt.Fprint(w, e.Output)
			}
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" && failedTests[e.Package] == 0 {
					c.FailedPackages++
					failedNames = append(failedNames, e.Package+" (package)")
				}
				continue
			}
			switch e.Action {
			case "pass":
				c.Passed++
			case "skip":
				c.Skipped++
			case "fail":
				c.Failed++
				failedTests[e.Package]++
				failedNames = append(failedNames, e.Package+"."+e.Test)
				if !verbose {
					fmt.Fprint(w, strings.Join(held[key], ""))
				}
			}
			delete(held, key)
		}
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	for _, n := range failedNames {
		fmt.Fprintln(w, "FAILED:", n)
	}
	if c.Passed+c.Skipped+c.Failed == 0 {
		fmt.Fprintln(w, "testsummary: no test ran")
	}
	fmt.Fprintf(w, "go test: %d passed, %d failed, %d skipped\n", c.Passed, c.Failed+c.FailedPackages, c.Skipped)
	return c, nil
}

// isPackageNoise reports package-level output that repeats what the counts say.
func isPackageNoise(out string) bool {
	s := strings.TrimSpace(out)
	return s == "PASS" || s == "FAIL" || s == ""
}
