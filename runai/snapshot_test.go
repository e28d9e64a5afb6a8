package runai

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/runai-sync/runai-sync/emulator"
)

// TestSnapshotCostsOneListCall: a no-op plan reads the live state with the
// login and one combined list call, whatever the number of credentials.
func TestSnapshotCostsOneListCall(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 60} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			e := setup(t, emulator.Options{})
			var src strings.Builder
			types := []string{
				`{type: accessKey, accessKeyId: AK, secretAccessKey: s}`,
				`{type: password, user: u, password: p}`,
				`{type: dockerRegistry, user: u, password: p, url: "https://r"}`,
				`{type: genericSecret, keyValuePairs: {K: v}}`,
				`{type: ngcApiKey, ngc_api_key: k}`,
			}
			for i := range n {
				src.WriteString(credentialDoc(fmt.Sprintf("c%03d", i), "scope: project, projectId: 13", types[i%len(types)]))
			}
			if n > 0 {
				e.mustCreate(e.desired(src.String(), nil)...)
			}
			_, p := e.connect(e.cfg) // a new process: not logged in yet
			e.em.Server.ResetCounts()
			objs, err := p.Snapshot(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) != n {
				t.Errorf("Snapshot has %d objects, want %d", len(objs), n)
			}
			want := map[string]int{routeToken: 1, routeList: 1}
			if diff := cmp.Diff(want, e.em.Server.Counts()); diff != "" {
				t.Errorf("requests of a snapshot (-want +got):\n%s", diff)
			}
			var query []string
			for _, l := range e.log.Lines() {
				if strings.HasPrefix(l, "GET ") {
					query = append(query, strings.Fields(l)[1])
				}
			}
			if diff := cmp.Diff([]string{"/api/v1/asset/credentials?statusInfo=true&usageInfo=true"}, query); diff != "" {
				t.Errorf("list request (-want +got):\n%s", diff)
			}
		})
	}
}
