package manifest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/runai-sync/runai-sync/internal/repofiles"
)

// agreeFast checks that when the fast parser reads data, yaml/v3 and the
// converter read the same documents from it, with the same values and
// starts; it reports whether the fast parser read it.
func agreeFast(t testing.TB, data []byte, vars *Vars) bool {
	t.Helper()
	fast, ok := fastDocuments(string(data), vars)
	if !ok {
		return false
	}
	contents, err := splitDocuments(data)
	if err != nil {
		t.Fatalf("fast parser read what yaml/v3 refuses (%v):\n%s", err, data)
	}
	if len(contents) != len(fast) {
		t.Fatalf("fast parser read %d documents, yaml/v3 %d:\n%s", len(fast), len(contents), data)
	}
	for i, content := range contents {
		d := &Document{root: content}
		if ds := d.convert(vars); ds != nil {
			t.Fatalf("fast parser read document %d that the converter refuses (%v):\n%s", i, ds, data)
		}
		if !reflect.DeepEqual(d.Value, fast[i].value) {
			t.Fatalf("document %d differs:\nyaml/v3: %#v\nfast:    %#v\n%s", i, d.Value, fast[i].value, data)
		}
		if content.Line != fast[i].line || content.Column != 1 {
			t.Fatalf("document %d starts at %d:%d, fast parser says %d:1:\n%s", i, content.Line, content.Column, fast[i].line, data)
		}
	}
	return true
}

var fastVars = &Vars{Tenant: "team-a", Values: map[string]string{"project": "7", "flag": "true", "empty": "", "text": "a: b", "word": "null"}}

// fastSeeds are the manifests of the repository (examples, invalid cases,
// the scenarios' files) and cases at the edges of the subset.
func fastSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{}
	for _, f := range repofiles.Walk([]string{"../examples", "../testdata"}, IsManifestFile) {
		seeds = append(seeds, f.Data)
	}
	for _, s := range fastEdges {
		seeds = append(seeds, []byte(s))
		for _, line := range strings.SplitAfter(s, "\n") {
			seeds = append(seeds, []byte(line)) // each alone, as most decline the whole
		}
	}
	return seeds
}

var fastEdges = []string{
	benchDoc,
	"a: 1\nb: -2\nc: 0\nd: 007\ne: 1.5\nf: 1e3\ng: 0x1F\nh: +3\ni: 1_000\nj: 2024-01-02\nk: 12345678901234567890\n",
	"a: true\nb: False\nc: NULL\nd: ~\ne: yes\nf: no\ng: on\nh: Off\ni: y\nj: .inf\nk: .5\nl: -.inf\nm: nan\n",
	"a: x # c\nb: x#y\nc: \"q\" # c\nd: 'q'\ne: 'it''s'\nf: \"a\\tb\"\ng: \"\"\nh: ''\ni: \"a\"#c\nj: x  \nk:\nl: # only\n",
	"a: http://x:80/y\nb: a: b\n",
	"a: [1, b, \"c\", [d], {e: f}]\nb: {}\nc: []\nd: {a: b,}\ne: [a,]\nf: {a: , b: c}\ng: {a:b}\nh: [a b, c]\ni: {a: [}\n",
	"a:\n- 1\n- b: c\n  d: e\n-\n  f: g\n- - h\n-\nz: 1\n",
	"a:\n  - x\n  b: 1\n",
	"a:\n    b: 1\n  c: 2\n",
	"a: b\n  c\n",
	"a:\n  value\n",
	"- a\n- b\n",
	"{a: b}\n",
	"a: 1\na: 2\n",
	"a: {b: 1, b: 2}\n",
	"--- \na: 1\n---\n---\n# c\n---\nb: 2\n...\n",
	"--- a: 1\n",
	"%YAML 1.2\n---\na: 1\n",
	"a: &x 1\nb: *x\n",
	"a: !!str 1\n",
	"a: |\n  x\n",
	"a: >\n  x\n",
	"<<: {a: 1}\n",
	"\"a\": 1\n'b': 2\n? c\n: 3\n",
	"a b: 1\n-a: 1\na-: 1\n$a: 1\na.b/c: 1\n",
	"a:\tb\n",
	"a: b\r\n",
	"a: caf\u00e9\n",
	"  a: 1\n",
	"a: ${tenant}\nb: \"${tenant}\"\nc: ${vars.project}\nd: \"${vars.project}\"\ne: ${vars.flag}\nf: ${vars.empty}\ng: ${vars.text}\nh: $${x}\ni: ${nope}\nj: ${vars.word}\nk: x${vars.project}\n",
	"a: -x\nb: ?x\nc: :x\nd: ,x\ne: ]x\nf: }x\ng: @x\nh: `x\ni: %x\nj: !x\nk: |x\nl: >x\nm: *x\nn: &x\n",
	"a: x y z\nb: x : y\nc: x ? y\nd: [x]y\ne: x[0]\nf: x{y}\n",
	"a: {b: c?}\nb: [x?]\nc: x?y\nd: {e: ?}\n",
}

const benchDoc = "---\napiVersion: runai-sync/v1\nkind: Credential\nmetadata:\n  name: cred-000001\n  description: Bench credential 1\n  scope: project\n  project: sandbox\n" +
	"spec:\n  type: password\n  user: user-1\n  password: {fromEnv: SECRET_VALUE}\n"

// TestFastYAMLAgrees checks the fast parser against yaml/v3 over every
// manifest of the repository and the edge cases, with and without tenant
// variables, and that it does read the common forms (else it would be
// right only by never answering).
func TestFastYAMLAgrees(t *testing.T) {
	read := 0
	for _, s := range fastSeeds(t) {
		for _, vars := range []*Vars{nil, fastVars} {
			if agreeFast(t, s, vars) {
				read++
			}
		}
	}
	if read < 100 {
		t.Errorf("the fast parser read only %d of the seeds", read)
	}
	for _, s := range []string{benchDoc, benchDoc + benchDoc,
		"apiVersion: runai-sync/v1\nkind: Ownership\nmetadata: {name: o}\nspec:\n  credentials:\n  - scope: project\n    project: p # c\n    names: [\"a-*\", b]\n  ignore:\n    - kind: Credential\n      names: ['x']\n"} {
		if !agreeFast(t, []byte(s), nil) {
			t.Errorf("the fast parser declined:\n%s", s)
		}
	}
}

// FuzzFastYAML compares the fast parser with yaml/v3 on any input.
func FuzzFastYAML(f *testing.F) {
	for _, s := range fastSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		agreeFast(t, data, nil)
		agreeFast(t, data, fastVars)
	})
}
