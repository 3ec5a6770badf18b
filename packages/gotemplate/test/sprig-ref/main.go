// sprig-ref: the oracle for our Sprig functions. Renders JSON-lines cases
// {"name","template","data"} with Go's text/template and the real Sprig
// (Debian's golang-github-masterminds-sprig-dev), printing one
// {"name","output","error"} line per case. Built by build.sh (GOPATH mode,
// no network). Functions whose results are random or time-dependent are
// still callable; the tests only compare deterministic cases.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
)

type tcase struct {
	Name     string      `json:"name"`
	Template string      `json:"template"`
	Data     interface{} `json:"data"`
}

type result struct {
	Name   string  `json:"name"`
	Output string  `json:"output"`
	Error  *string `json:"error"`
}

// numbers: safe integers are int, everything else float64 (the rule of gotemplate-ref)
func convert(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil && i >= -(1<<53-1) && i <= 1<<53-1 && !strings.ContainsAny(string(x), ".eE") {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case map[string]interface{}:
		for k, e := range x {
			x[k] = convert(e)
		}
	case []interface{}:
		for i, e := range x {
			x[i] = convert(e)
		}
	}
	return v
}

func render(c tcase) (out string, errText *string) {
	defer func() {
		if r := recover(); r != nil {
			s := fmt.Sprintf("panic: %v", r)
			errText = &s
		}
	}()
	t, err := template.New(c.Name).Funcs(sprig.TxtFuncMap()).Option("missingkey=default").Parse(c.Template)
	if err != nil {
		s := err.Error()
		return "", &s
	}
	var b bytes.Buffer
	if err := t.Execute(&b, c.Data); err != nil {
		s := err.Error()
		return "", &s
	}
	return b.String(), nil
}

func main() {
	_ = math.Pi
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	enc := json.NewEncoder(os.Stdout)
	for in.Scan() {
		line := in.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var c tcase
		if err := dec.Decode(&c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		c.Data = convert(c.Data)
		out, e := render(c)
		_ = enc.Encode(result{Name: c.Name, Output: out, Error: e})
	}
}
