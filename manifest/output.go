package manifest

// OutputFile is a file an apply writes a produced secret to (the one-time
// secret of a service account or access key), and the manifest field that
// names it.
type OutputFile struct {
	Path FieldPath
	File string
}

// Outputter is a resource that names files its secrets are written to.
// Plan and apply check every such file against the resolver's roots
// (Resolver.Prepare) before anything changes.
type Outputter interface {
	OutputFiles() []OutputFile
}

// secretFileOutput is the output of a spec.secretFile, when one is set.
func secretFileOutput(file string) []OutputFile {
	if file == "" {
		return nil
	}
	return []OutputFile{{Path: FieldPath{"spec", "secretFile"}, File: file}}
}

var (
	_ Outputter = (*ServiceAccount)(nil)
	_ Outputter = (*AccessKey)(nil)
)
