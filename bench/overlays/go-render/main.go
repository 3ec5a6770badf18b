// Command gorender times Go's text/template on the overlay bench: each
// template file parsed once, executed for every node's data (JSON lines),
// ns per render and a sha256 of the outputs printed as JSON.
// Standard library only; the templates use Go built-ins and `default`.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"text/template"
	"time"
)

func empty(v interface{}) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case float64:
		return x == 0
	case bool:
		return !x
	}
	return false
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: gorender DATA.jsonl TEMPLATE...")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	var data []interface{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var d interface{}
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			panic(err)
		}
		data = append(data, d)
	}
	funcs := template.FuncMap{"default": func(d interface{}, given ...interface{}) interface{} {
		if len(given) == 0 || empty(given[0]) {
			return d
		}
		return given[0]
	}}
	out := map[string]interface{}{}
	for _, file := range os.Args[2:] {
		text, err := os.ReadFile(file)
		if err != nil {
			panic(err)
		}
		t0 := time.Now()
		t := template.Must(template.New(file).Funcs(funcs).Option("missingkey=default").Parse(string(text)))
		h := sha256.New()
		var b bytes.Buffer
		for _, d := range data {
			b.Reset()
			if err := t.Execute(&b, d); err != nil {
				panic(err)
			}
			h.Write(b.Bytes())
		}
		ns := time.Since(t0).Nanoseconds()
		out[file] = map[string]interface{}{"ns_per_render": float64(ns) / float64(len(data)), "sha256": hex.EncodeToString(h.Sum(nil))}
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
