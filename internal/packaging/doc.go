// Package packaging holds no code: its tests check the files that package
// runai-sync where users run it, which Go does not compile: the
// container image definition (Dockerfile: the binary its build step makes
// is static), and the Kubernetes CronJob example (examples/kubernetes:
// a valid CronJob that runs drift as non-root with its secrets from a
// Secret). The GitHub action's tests live with its logic, in
// internal/prcomment.
package packaging
