// Command gotemplatebench times Go's text/template on the bench workload:
// parse once, execute many times, print ns per render as JSON.
// Only the standard library; data decoded like gotemplate-ref does.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"
)

func normalize(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []interface{}:
		for i, e := range x {
			x[i] = normalize(e)
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53-1 {
			return int(x)
		}
	}
	return v
}

func empty(v interface{}) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case int:
		return x == 0
	case bool:
		return !x
	}
	return false
}

var funcs = template.FuncMap{
	"upper": strings.ToUpper,
	"default": func(d interface{}, given ...interface{}) interface{} {
		if len(given) == 0 || empty(given[0]) {
			return d
		}
		return given[0]
	},
}

func main() {
	dir, dataFile := os.Args[1], os.Args[2]
	hostRounds, _ := strconv.Atoi(os.Args[3])
	ifcfgRounds, _ := strconv.Atoi(os.Args[4])
	raw, err := os.ReadFile(dataFile)
	if err != nil {
		panic(err)
	}
	var data interface{}
	if err := json.Unmarshal(raw, &data); err != nil {
		panic(err)
	}
	data = normalize(data)
	nodes := data.(map[string]interface{})["AllNodes"].([]interface{})
	res := map[string]interface{}{}

	for _, name := range []string{"hosts", "ifcfg"} {
		text, err := os.ReadFile(dir + "/" + name + ".ww")
		if err != nil {
			panic(err)
		}
		var buf bytes.Buffer
		t0 := time.Now()
		t := template.Must(template.New(name + ".ww").Funcs(funcs).Parse(string(text)))
		parseNs := time.Since(t0).Nanoseconds()
		renders := 0
		h := sha256.New()
		rounds := ifcfgRounds
		if name == "hosts" {
			rounds = hostRounds
		}
		t1 := time.Now()
		for r := 0; r < rounds; r++ {
			if name == "hosts" {
				buf.Reset()
				if err := t.Execute(&buf, data); err != nil {
					panic(err)
				}
				renders++
				if r == 0 {
					h.Write(buf.Bytes())
				}
			} else {
				for _, n := range nodes {
					buf.Reset()
					if err := t.Execute(&buf, n); err != nil {
						panic(err)
					}
					renders++
					if r == 0 {
						h.Write(buf.Bytes())
					}
				}
			}
		}
		execNs := time.Since(t1).Nanoseconds()
		res[name] = map[string]interface{}{
			"renders": renders,
			"parse_ns": parseNs,
			"exec_ns":  execNs,
			"ns_per_render": float64(parseNs+execNs) / float64(renders),
			"sha256": hex.EncodeToString(h.Sum(nil)),
		}
	}
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}
