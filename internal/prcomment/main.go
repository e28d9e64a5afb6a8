package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "prcomment:", err)
		os.Exit(1)
	}
}

// config is what one run needs.
type config struct {
	api, repo, token, marker string
	author                   string
	pr                       int
	plan, stderr             string
	exitCode                 int
}

// run parses the flags and the environment, composes the comment and
// creates or updates it; it prints what it did.
func run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	var c config
	fs := flag.NewFlagSet("prcomment", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.plan, "plan", "", "the plan in Markdown (runai-sync plan -o markdown)")
	fs.StringVar(&c.stderr, "stderr", "", "the plan's standard error, shown when it failed or was refused")
	fs.IntVar(&c.exitCode, "exit-code", 0, "the plan's exit status: 0 nothing to do or changes, 2 changes, 1 refused or failed")
	fs.IntVar(&c.pr, "pr", 0, "the pull request number (default: from GITHUB_EVENT_PATH)")
	fs.StringVar(&c.repo, "repo", getenv("GITHUB_REPOSITORY"), "OWNER/NAME")
	fs.StringVar(&c.api, "api", getenv("GITHUB_API_URL"), "the GitHub API URL")
	fs.StringVar(&c.marker, "marker", "", "tells this comment from others of the action on one pull request (e.g. a tenant)")
	fs.StringVar(&c.author, "author", defaultAuthor, "the login the token comments as; only its comments are edited")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w; usage: prcomment --plan FILE [--stderr FILE] [--exit-code N] [--pr N] [--repo OWNER/NAME] [--marker ID] [--author LOGIN]", err)
	}
	c.token = getenv("GITHUB_TOKEN")
	if c.author == "" {
		c.author = defaultAuthor
	}
	if c.api == "" {
		c.api = "https://api.github.com"
	}
	switch {
	case c.token == "":
		return fmt.Errorf("GITHUB_TOKEN is not set: give the action a token that may write pull-request comments")
	case c.repo == "" || !strings.Contains(c.repo, "/"):
		return fmt.Errorf("no repository: set GITHUB_REPOSITORY or --repo OWNER/NAME")
	case c.plan == "":
		return fmt.Errorf("--plan FILE is required")
	}
	if c.pr == 0 {
		n, err := prFromEvent(getenv("GITHUB_EVENT_PATH"))
		if err != nil {
			return err
		}
		c.pr = n
	}
	plan, err := os.ReadFile(c.plan)
	if err != nil {
		return fmt.Errorf("reading the plan: %w", err)
	}
	var stderr []byte
	if c.stderr != "" {
		if stderr, err = os.ReadFile(c.stderr); err != nil {
			return fmt.Errorf("reading the plan's standard error: %w", err)
		}
	}
	marker := markerOf(c.marker)
	body := compose(marker, string(plan), string(stderr), c.exitCode)
	gh := &github{api: strings.TrimRight(c.api, "/"), repo: c.repo, token: c.token, timeout: 30 * time.Second}
	id, err := gh.findComment(ctx, c.pr, marker, c.author)
	if err != nil {
		return err
	}
	if id != 0 {
		if err := gh.updateComment(ctx, id, body); err != nil {
			return err
		}
		fmt.Fprintf(out, "updated comment %d on %s#%d\n", id, c.repo, c.pr)
		return nil
	}
	if id, err = gh.createComment(ctx, c.pr, body); err != nil {
		return err
	}
	fmt.Fprintf(out, "created comment %d on %s#%d\n", id, c.repo, c.pr)
	return nil
}

// defaultAuthor is who comments with the workflow's GITHUB_TOKEN.
const defaultAuthor = "github-actions[bot]"

// markerOf is the hidden marker of the comment.
func markerOf(id string) string {
	if id == "" {
		return "<!-- runai-sync-plan -->"
	}
	return "<!-- runai-sync-plan:" + strings.NewReplacer("-->", "", "\n", " ").Replace(id) + " -->"
}

// maxBody keeps the comment under GitHub's 65,536 characters.
const maxBody = 60000

// compose builds the comment: the marker, a status line, the plan, and on
// failure the end of standard error.
func compose(marker, plan, stderr string, exitCode int) string {
	var b strings.Builder
	b.WriteString(marker + "\n")
	switch exitCode {
	case 0, 2:
	case 1:
		b.WriteString("> [!CAUTION]\n> **The plan was refused or failed** (exit status 1): nothing will be applied as it stands.\n\n")
	default:
		b.WriteString("> [!WARNING]\n> runai-sync plan ended with exit status " + strconv.Itoa(exitCode) + ".\n\n")
	}
	if strings.TrimSpace(plan) == "" {
		b.WriteString("_runai-sync printed no plan._\n")
	} else {
		b.WriteString(truncate(plan, maxBody-4000))
		if !strings.HasSuffix(plan, "\n") {
			b.WriteString("\n")
		}
	}
	if exitCode != 0 && exitCode != 2 && strings.TrimSpace(stderr) != "" {
		b.WriteString("\n<details><summary>Why (standard error)</summary>\n\n```text\n")
		b.WriteString(strings.ReplaceAll(tail(stderr, 3000), "```", "'''"))
		b.WriteString("\n```\n</details>\n")
	}
	return b.String()
}

// truncate cuts s to at most n bytes at a line end, saying so.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndex(s[:n], "\n")
	if cut < 0 {
		cut = n
	}
	return s[:cut] + "\n\n_… the plan is longer than a comment can hold; see the job's log for all of it._\n"
}

// tail keeps the last n bytes of s, from a line start.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.Index(s, "\n"); i >= 0 {
		s = s[i+1:]
	}
	return "…\n" + s
}
