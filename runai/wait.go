package runai

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/runai-sync/runai-sync/diff"
	"github.com/runai-sync/runai-sync/manifest"
)

// Sync statuses of an asset (AssetSyncStatusEnum) that end a wait.
const (
	statusSynced       = "No issues found"
	statusNoStatus     = "No status"
	statusFailed       = "Failed"
	statusIssues       = "Issues found"
	statusDeleteFailed = "Deletion failed"
)

// Wait implements apply.Waiter: it polls the combined list (with
// statusInfo) until every credential that changes created, updated or
// replaced has synced ("No issues found", or "No status" when there is
// nothing to sync to) or failed ("Failed", "Issues found"), reporting each
// as it settles. It returns an error naming the failed ones, or ctx's
// error when ctx ends first.
func (p *Provider) Wait(ctx context.Context, changes []*diff.Change, report func(manifest.Key, string, bool)) error {
	pending := map[manifest.Key]bool{}
	for _, ch := range changes {
		if ch.Provider == ProviderName && ch.Key.Kind == manifest.KindCredential &&
			(ch.Action == diff.Create || ch.Action == diff.Update || ch.Action == diff.Replace) {
			pending[ch.Key] = true
		}
	}
	if report == nil {
		report = func(manifest.Key, string, bool) {}
	}
	interval := p.PollInterval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	var failed []string
	for len(pending) > 0 {
		assets, err := p.c.listCredentialStatus(ctx)
		if err != nil {
			return err
		}
		seen := map[manifest.Key]bool{}
		for _, a := range assets {
			key, ok := liveKey(a.Meta)
			if !ok || !pending[key] || a.beingDeleted() {
				continue
			}
			seen[key] = true
			st, msg := "", ""
			if a.Status != nil {
				st, msg = a.Status.Status, a.Status.Message
			}
			switch st {
			case statusSynced, statusNoStatus:
				report(key, st, false)
				delete(pending, key)
			case statusFailed, statusIssues, statusDeleteFailed:
				report(key, st, true)
				delete(pending, key)
				failed = append(failed, describeFailure(key, st, msg))
			}
		}
		for key := range pending {
			if !seen[key] {
				report(key, "missing", true)
				delete(pending, key)
				failed = append(failed, subject(key)+": no longer exists")
			}
		}
		if len(pending) == 0 {
			break
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		return fmt.Errorf("%d credential(s) did not sync to their clusters:\n  %s", len(failed), strings.Join(failed, "\n  "))
	}
	return nil
}

// describeFailure is one line of Wait's error.
func describeFailure(k manifest.Key, status, message string) string {
	s := subject(k) + ": " + status
	if message != "" {
		s += " (" + message + ")"
	}
	return s
}
