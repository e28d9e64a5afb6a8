package state

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/runai-sync/runai-sync/manifest"
)

// Scope names, per provider ("runai", "seqera"), the tenant whose entries a
// run reads and writes:
//
//	state.Scope{"runai": state.Tenant("https://acme.run.ai"), "seqera": state.Tenant("https://api.tower.nf/api")}
//
// A Seqera entry's workspace is part of its key, so the Seqera tenant is
// the endpoint alone.
type Scope map[string]string

// Tenant returns the canonical name of the tenant at the API base URL raw:
// scheme and host in lower case, the default port, user information, query
// and trailing slashes left out, so that every spelling of one URL names one
// tenant. A value that is not a URL is returned trimmed.
func Tenant(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return strings.TrimRight(raw, "/")
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(scheme == "https" && p == "443") && !(scheme == "http" && p == "80") {
		host += ":" + p
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}

// tenants returns the scope's tenants, sorted, without repeats.
func (s Scope) tenants() []string {
	var out []string
	for _, t := range s {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// String names the scope for messages: "runai https://acme.run.ai, seqera …".
func (s Scope) String() string {
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, p+" "+s[p])
	}
	return strings.Join(parts, ", ")
}

// records are every entry of a store, by tenant and key.
type records map[Ref]Entry

// data picks the entries of scope out of rs: those whose tenant is the
// scope's tenant for their provider, and the unclaimed ones.
func (rs records) data(salt []byte, scope Scope) *Data {
	d := &Data{Salt: salt, Scope: scope, Entries: map[manifest.Key]Entry{}, Unclaimed: map[manifest.Key]Entry{}}
	for r, e := range rs {
		switch {
		case r.Tenant == "":
			d.Unclaimed[r.Key] = e
		case scope[e.Provider] == r.Tenant:
			d.Entries[r.Key] = e
		}
	}
	return d
}

// sortedRecords returns rs ordered by tenant, then key.
func sortedRecords(rs records) []Entry {
	out := slices.Collect(maps.Values(rs))
	slices.SortFunc(out, compareEntries)
	return out
}

func compareEntries(a, b Entry) int {
	return cmp.Or(cmp.Compare(a.Tenant, b.Tenant), a.Key.Compare(b.Key))
}

// checkTenants refuses entries without a tenant: an entry nobody owns
// would be claimed by a later run.
func checkTenants(entries []Entry) error {
	for _, e := range entries {
		if e.Tenant == "" {
			return fmt.Errorf("state: the entry of %s names no tenant (internal error); nothing was saved", e.Key)
		}
	}
	return nil
}

// Credentials in URLs (scheme://user:password@host) and in key=value
// settings (password=…, ?password=…).
var (
	urlPassword   = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*):[^@\s/]*@`)
	paramPassword = regexp.MustCompile(`(?i)((?:^|[\s?&;])(?:password|passwd|pwd|sslpassword)=)[^&\s]*`)
)

// Scrub removes passwords from s: those of URLs
// (postgres://user:password@host → postgres://user:xxxxx@host) and those of
// password= settings. Lock holders' command lines pass through it before they
// are recorded or printed.
func Scrub(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}:xxxxx@")
	return paramPassword.ReplaceAllString(s, "${1}xxxxx")
}

// Narrow returns the part of d that belongs to scope, whose tenants are
// some of d.Scope's: a run may read the state of every tenant it could
// need before it knows which ones its manifests do. Unclaimed entries stay.
func (d *Data) Narrow(scope Scope) *Data {
	if maps.Equal(scope, d.Scope) {
		return d
	}
	n := &Data{Salt: d.Salt, Scope: scope, Entries: map[manifest.Key]Entry{}, Unclaimed: d.Unclaimed, claimed: d.claimed}
	for k, e := range d.Entries {
		if t := scope[e.Provider]; t != "" && t == d.Scope[e.Provider] {
			n.Entries[k] = e
		}
	}
	return n
}
