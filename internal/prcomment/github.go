package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// github is the part of the GitHub REST API prcomment uses.
type github struct {
	api, repo, token string
	timeout          time.Duration
}

// comment is an issue comment as the API lists it.
type comment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User user   `json:"user"`
}

// user is a comment's author.
type user struct {
	Login string `json:"login"`
}

// perPage is the page size of the comment listing (GitHub's maximum).
const perPage = 100

// findComment returns the id of the first comment on the pull request
// that author wrote and that starts with marker, walking every page; 0
// when there is none. Anyone may write the marker in a comment: taking
// theirs would put the plan in a comment its author can edit afterwards
// (or fail the job), so comments of others never count.
func (g *github) findComment(ctx context.Context, pr int, marker, author string) (int64, error) {
	for page := 1; ; page++ {
		var list []comment
		path := fmt.Sprintf("/repos/%s/issues/%d/comments?per_page=%d&page=%d", g.repo, pr, perPage, page)
		if err := g.do(ctx, http.MethodGet, path, nil, &list); err != nil {
			return 0, err
		}
		for _, c := range list {
			if c.User.Login == author && strings.HasPrefix(c.Body, marker+"\n") {
				return c.ID, nil
			}
		}
		if len(list) < perPage {
			return 0, nil
		}
	}
}

// createComment posts a new comment and returns its id.
func (g *github) createComment(ctx context.Context, pr int, body string) (int64, error) {
	var c comment
	err := g.do(ctx, http.MethodPost, fmt.Sprintf("/repos/%s/issues/%d/comments", g.repo, pr), map[string]string{"body": body}, &c)
	return c.ID, err
}

// updateComment replaces a comment's body.
func (g *github) updateComment(ctx context.Context, id int64, body string) error {
	return g.do(ctx, http.MethodPatch, fmt.Sprintf("/repos/%s/issues/comments/%d", g.repo, id), map[string]string{"body": body}, nil)
}

// do sends one request and decodes a 2xx reply into out; anything else is
// an error naming the request and GitHub's message (never the token).
func (g *github) do(ctx context.Context, method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, g.api+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		hint := ""
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound {
			hint = " (does the token have pull-requests: write?)"
		}
		return fmt.Errorf("%s %s: %d %s%s", method, path, resp.StatusCode, e.Message, hint)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decoding the reply: %w", method, path, err)
		}
	}
	return nil
}

// prFromEvent reads the pull request number from the event GitHub Actions
// wrote (GITHUB_EVENT_PATH).
func prFromEvent(path string) (int, error) {
	if path == "" {
		return 0, fmt.Errorf("no pull request: give --pr N, or run on a pull_request event (GITHUB_EVENT_PATH)")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading the event: %w", err)
	}
	var ev struct {
		Number      int `json:"number"`
		PullRequest *struct {
			Number int `json:"number"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return 0, fmt.Errorf("reading the event %s: %w", path, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Number == 0 {
		return 0, fmt.Errorf("the event %s is not a pull request's: run the action on pull_request, or give --pr N", path)
	}
	return ev.PullRequest.Number, nil
}
