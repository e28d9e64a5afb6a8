package schema

import (
	"slices"

	"github.com/runai-sync/runai-sync/manifest"
)

// Edge is a reference from one resource's field to another resource.
type Edge struct {
	From manifest.Key
	To   manifest.Key
	Path manifest.FieldPath
}

// FindCycles returns each elementary cycle of the graph once, as the edges
// that form it, starting from its smallest key. Nodes are visited in key
// order so the result is deterministic.
func FindCycles(graph map[manifest.Key][]Edge) [][]Edge {
	keys := make([]manifest.Key, 0, len(graph))
	for k := range graph {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, manifest.Key.Compare)
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[manifest.Key]int{}
	var stack []Edge
	var cycles [][]Edge
	var visit func(k manifest.Key)
	visit = func(k manifest.Key) {
		state[k] = onStack
		for _, e := range graph[k] {
			e.From = k
			switch state[e.To] {
			case unvisited:
				stack = append(stack, e)
				visit(e.To)
				stack = stack[:len(stack)-1]
			case onStack:
				cycles = append(cycles, closeCycle(append(slices.Clone(stack), e), e.To))
			}
		}
		state[k] = done
	}
	for _, k := range keys {
		if state[k] == unvisited {
			visit(k)
		}
	}
	return cycles
}

// closeCycle keeps the edges from the one leaving start, rotated so the
// smallest key comes first.
func closeCycle(path []Edge, start manifest.Key) []Edge {
	i := slices.IndexFunc(path, func(e Edge) bool { return e.From == start })
	c := path[i:]
	min := 0
	for j := range c {
		if c[j].From.Compare(c[min].From) < 0 {
			min = j
		}
	}
	return append(slices.Clone(c[min:]), c[:min]...)
}
