// Command prcomment keeps one sticky pull-request comment with a runai-sync
// plan up to date: the logic of the GitHub composite action (action.yml at
// the repository root).
//
// It composes the comment from the plan (plan -o markdown), the plan's exit
// status and, when the plan failed or was refused (exit 1), the end of its
// standard error; then finds its own earlier comment on the pull request by
// a hidden marker (<!-- runai-sync-plan -->, or one per --marker) at the
// start of a comment written by --author (default github-actions[bot]:
// anyone can write the marker), walking every page of comments, and edits it (PATCH), or creates one when there
// is none. A refused plan is posted like any other: the reviewers see what
// is in the way.
//
// It talks to the GitHub REST API only (GET issue comments, POST a comment,
// PATCH a comment) with the token of GITHUB_TOKEN, and reads nothing but
// its flags, those environment variables and the files it is given. The
// tests run it against a fake GitHub API on loopback.
//
//	prcomment --plan plan.md --stderr plan.err --exit-code 1 [--pr N] [--repo OWNER/NAME] [--marker ID] [--author LOGIN]
package main
