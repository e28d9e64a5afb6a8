package schema

import (
	"cmp"
	"slices"
	"strings"
)

// nearest returns the candidate closest to s when it is close enough to be a
// likely typo (same letters in another case, or an edit distance of at most
// a third of the length, and at most 3), else "".
func nearest(s string, candidates []string) string {
	if s == "" {
		return ""
	}
	best, bestDist := "", 4
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		d := distance(strings.ToLower(s), strings.ToLower(c))
		if d < bestDist && d <= max(1, len(c)/3) {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Damerau-Levenshtein (optimal string alignment) distance.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// Suggest returns the candidate closest to s when it is close enough to be
// a likely typo, else "" (for packages that check names against other
// lists, such as org-unit names).
func Suggest(s string, candidates []string) string { return nearest(s, candidates) }

// Nearest returns up to n candidates, the closest to s first (by edit
// distance, ignoring case; ties in candidate order).
func Nearest(s string, candidates []string, n int) []string {
	type scored struct {
		c string
		d int
	}
	all := make([]scored, len(candidates))
	for i, c := range candidates {
		all[i] = scored{c, distance(strings.ToLower(s), strings.ToLower(c))}
	}
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(a.d, b.d) })
	out := make([]string, 0, min(n, len(all)))
	for _, x := range all[:min(n, len(all))] {
		out = append(out, x.c)
	}
	return out
}
