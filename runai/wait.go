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
// replaced, and every unchanged one whose live status had not settled
// (still Creating or Updating, or failed), has synced ("No issues found",
// or "No status" when there is nothing to sync to) or failed ("Failed",
// "Issues found", "Deletion failed"), reporting each as it settles. It
// returns an error naming the failed ones; when ctx ends first, an error
// that wraps ctx's and names every credential not synced with its last
// status.
func (p *Provider) Wait(ctx context.Context, changes []*diff.Change, report func(manifest.Key, string, bool)) error {
	pending := map[manifest.Key]bool{}
	last := map[manifest.Key]string{}
	for _, ch := range changes {
		if ch.Provider != ProviderName || ch.Key.Kind != manifest.KindCredential {
			continue
		}
		switch ch.Action {
		case diff.Create, diff.Update, diff.Replace:
			pending[ch.Key] = true
		case diff.NoOp:
			if ch.Live != nil && !settledOK(ch.Live.Status) {
				pending[ch.Key] = true
				last[ch.Key] = ch.Live.Status
			}
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
			if ctx.Err() != nil {
				return notSynced(ctx.Err(), pending, last, failed)
			}
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
			last[key] = st
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
			return notSynced(ctx.Err(), pending, last, failed)
		case <-t.C:
		}
	}
	if len(failed) > 0 {
		slices.Sort(failed)
		return fmt.Errorf("%d credential(s) did not sync to their clusters:\n  %s", len(failed), strings.Join(failed, "\n  "))
	}
	return nil
}

// settledOK reports whether a sync status needs no waiting: synced, or
// nothing to sync to. An empty status (not read) counts as settled.
func settledOK(status string) bool {
	return status == "" || status == statusSynced || status == statusNoStatus
}

// notSynced is Wait's error when ctx ends first: it wraps ctx's error and
// names every credential still pending with its last status, and those
// that failed.
func notSynced(cause error, pending map[manifest.Key]bool, last map[manifest.Key]string, failed []string) error {
	var lines []string
	for key := range pending {
		st := last[key]
		if st == "" {
			st = "not listed yet"
		}
		lines = append(lines, subject(key)+": "+st)
	}
	slices.Sort(lines)
	slices.Sort(failed)
	msg := fmt.Sprintf("%d credential(s) not synced yet:\n  %s", len(lines), strings.Join(lines, "\n  "))
	if len(failed) > 0 {
		msg += fmt.Sprintf("\n%d credential(s) did not sync to their clusters:\n  %s", len(failed), strings.Join(failed, "\n  "))
	}
	return &waitError{msg: msg, cause: cause}
}

// waitError is an error of Wait that wraps the context's.
type waitError struct {
	msg   string
	cause error
}

func (e *waitError) Error() string { return e.msg }
func (e *waitError) Unwrap() error { return e.cause }

// describeFailure is one line of Wait's error.
func describeFailure(k manifest.Key, status, message string) string {
	s := subject(k) + ": " + status
	if message != "" {
		s += " (" + message + ")"
	}
	return s
}
