package runai

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/runai-sync/runai-sync/internal/rest"
	"github.com/runai-sync/runai-sync/manifest"
)

// listAccessRules reads the live access rules of the given subjects (every
// subject type; all rules when subjectIDs is empty), page by page, asking
// for at most subjectsPerList subjects at a time so that the URL stays
// short. key names the account the read is for in errors.
func (c *Client) listAccessRules(ctx context.Context, key manifest.Key, subjectIDs []string) ([]accessRule, error) {
	if len(subjectIDs) == 0 {
		return c.listAccessRulesOf(ctx, key, "")
	}
	var out []accessRule
	for start := 0; start < len(subjectIDs); start += subjectsPerList {
		part, err := c.listAccessRulesOf(ctx, key, strings.Join(subjectIDs[start:min(start+subjectsPerList, len(subjectIDs))], ","))
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// subjectsPerList bounds the subject ids of one list request (a client id
// is about 20 characters).
const subjectsPerList = 100

// listAccessRulesOf reads every page of the rules of the comma-separated
// subjects (subjectIds is explode: false), or of all subjects, for at
// most c.maxPages pages.
func (c *Client) listAccessRulesOf(ctx context.Context, key manifest.Key, subjects string) ([]accessRule, error) {
	q := url.Values{"limit": {strconv.Itoa(accessRulesPage)}}
	if subjects != "" {
		q.Set("subjectIds", subjects)
	}
	var out []accessRule
	for range c.maxPages {
		q.Set("offset", strconv.Itoa(len(out)))
		var page accessRuleList
		if _, err := c.call(ctx, "list access rules", key, rest.Request{Method: http.MethodGet, Path: accessRulesPath, Query: q}, &page); err != nil {
			return nil, err
		}
		out = append(out, page.AccessRules...)
		if len(page.AccessRules) == 0 || len(out) >= page.TotalRecords {
			return out, nil
		}
	}
	// A server whose totalRecords is never reached (pages that repeat, a
	// count that grows) must not keep the run reading for ever.
	return nil, c.wrap("list access rules", key, fmt.Errorf("more than %d pages, and totalRecords still not reached", c.maxPages))
}

// createAccessRule creates the rule s for the account of key. A 409
// (the same role for the same subject in the same scope exists, whoever
// made it, or our own earlier try whose reply was lost) is settled by
// reading the rules of the subject back and taking the one that grants
// exactly s: a rule has no other fields, so it is the rule asked for.
func (c *Client) createAccessRule(ctx context.Context, key manifest.Key, s accessRuleSpec) (accessRule, error) {
	op := "create " + s.String()
	var out accessRule
	_, err := c.api.Do(ctx, rest.Request{Method: http.MethodPost, Path: accessRulesPath, Body: s.request()}, &out)
	if err == nil {
		return out, nil
	}
	if !rest.Conflict(err) {
		return out, c.wrap(op, key, err)
	}
	live, lerr := c.listAccessRules(ctx, key, []string{s.SubjectID})
	if lerr != nil {
		return out, lerr
	}
	for _, r := range live {
		if s.same(r) {
			c.log("runai: %s of %s exists already (id %d): taken", s, subject(key), r.ID)
			return r, nil
		}
	}
	return out, &Error{Op: op, Key: key, Err: err, Hint: "the API reports a clash, but no such rule can be read back: run plan again"}
}

// deleteAccessRule deletes a rule of the account of key; one that is gone
// already counts as deleted.
func (c *Client) deleteAccessRule(ctx context.Context, key manifest.Key, r accessRule) error {
	_, err := c.api.Do(ctx, rest.Request{Method: http.MethodDelete, Path: accessRulePath(r.ID)}, nil)
	if rest.IsStatus(err, http.StatusNotFound) {
		return nil
	}
	if err != nil {
		return c.wrap(fmt.Sprintf("delete %s (id %d)", r.spec(), r.ID), key, err)
	}
	return nil
}
