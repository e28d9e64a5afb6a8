package manifest

// SeqeraKey describes one key field of a Seqera credential provider.
type SeqeraKey struct {
	Name     string
	Secret   bool // write-only on the platform; validate warns on a literal
	Required bool
	Doc      string
}

// SeqeraProvider describes a Seqera credential provider and its key fields,
// as the platform's SecurityKeys types define them.
type SeqeraProvider struct {
	Name string
	Doc  string
	Keys []SeqeraKey
}

// SeqeraProviders lists the providers runai-sync manages, with their keys.
var SeqeraProviders = []SeqeraProvider{
	{"aws", "Amazon Web Services access key", []SeqeraKey{
		{"accessKey", false, true, "AWS access key id"},
		{"secretKey", true, true, "AWS secret access key"},
		{"assumeRoleArn", false, false, "IAM role to assume"},
	}},
	{"azure", "Azure Batch and Storage accounts", []SeqeraKey{
		{"batchName", false, true, "Batch account name"},
		{"storageName", false, true, "Storage account name"},
		{"batchKey", true, true, "Batch account key"},
		{"storageKey", true, true, "Storage account key"},
	}},
	{"google", "Google Cloud service account key", []SeqeraKey{
		{"data", true, true, "service account key JSON"},
	}},
	{"github", "GitHub account", []SeqeraKey{
		{"username", false, true, "user name"},
		{"password", true, true, "personal access token"},
	}},
	{"gitlab", "GitLab account", []SeqeraKey{
		{"username", false, true, "user name"},
		{"password", true, false, "password"},
		{"token", true, true, "personal access token"},
	}},
	{"bitbucket", "Bitbucket account", []SeqeraKey{
		{"username", false, true, "user name"},
		{"password", true, true, "app password"},
	}},
	{"gitea", "Gitea account", []SeqeraKey{
		{"username", false, true, "user name"},
		{"password", true, true, "password or token"},
	}},
	{"codecommit", "AWS CodeCommit HTTPS credentials", []SeqeraKey{
		{"username", false, true, "access key id or user name"},
		{"password", true, true, "secret access key or password"},
	}},
	{"ssh", "SSH private key", []SeqeraKey{
		{"privateKey", true, true, "private key (PEM)"},
		{"passphrase", true, false, "passphrase of the private key"},
	}},
	{"k8s", "Kubernetes client certificate or service account token", []SeqeraKey{
		{"certificate", false, false, "client certificate (PEM)"},
		{"privateKey", true, false, "client private key (PEM)"},
		{"token", true, false, "service account token"},
	}},
	{"container-reg", "Container registry", []SeqeraKey{
		{"userName", false, true, "user name"},
		{"password", true, true, "password or token"},
		{"registry", false, true, "registry host, e.g. docker.io"},
	}},
}

// LookupSeqeraProvider finds a provider by name.
func LookupSeqeraProvider(name string) (SeqeraProvider, bool) {
	for _, p := range SeqeraProviders {
		if p.Name == name {
			return p, true
		}
	}
	return SeqeraProvider{}, false
}

// SeqeraKeyField finds a key field of a provider.
func SeqeraKeyField(provider, key string) (SeqeraKey, bool) {
	p, ok := LookupSeqeraProvider(provider)
	if !ok {
		return SeqeraKey{}, false
	}
	for _, k := range p.Keys {
		if k.Name == key {
			return k, true
		}
	}
	return SeqeraKey{}, false
}
