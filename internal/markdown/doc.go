// Package markdown escapes text for the Markdown that runai-sync posts as
// pull-request comments (plans, audit reports, tenant summaries). The text
// comes from manifests in the pull request and from the live state, which
// anyone who can create an object there writes: it must not add a link, an
// image, HTML (a "<!--" would hide the rest of the comment) or a new table
// cell, nor end a code span early.
package markdown
