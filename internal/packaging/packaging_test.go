package packaging

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/runai-sync/runai-sync/emulator"
)

const root = "../.."

var (
	buildOnce sync.Once
	binary    string
	buildErr  string
)

// dockerBuild runs the go build of the Dockerfile's build step, with its
// flags and environment, VERSION set to v0.0.0-test.
func dockerBuild(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		raw, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
		if err != nil {
			buildErr = err.Error()
			return
		}
		m := regexp.MustCompile(`(?m)^RUN CGO_ENABLED=0 go build (-trimpath) -ldflags "([^"]+)" -o (\S+) (\./cmd/runai-sync)$`).FindStringSubmatch(string(raw))
		if m == nil {
			buildErr = "the Dockerfile has no step RUN CGO_ENABLED=0 go build -trimpath -ldflags \"…\" -o OUT ./cmd/runai-sync"
			return
		}
		dir, err := os.MkdirTemp("", "runai-sync-docker-build")
		if err != nil {
			buildErr = err.Error()
			return
		}
		binary = filepath.Join(dir, "runai-sync")
		ldflags := strings.ReplaceAll(m[2], "${VERSION}", "v0.0.0-test")
		cmd := exec.Command("go", "build", m[1], "-ldflags", ldflags, "-o", binary, m[4])
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = err.Error() + "\n" + string(out)
		}
	})
	if buildErr != "" {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		_ = os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// TestDockerfileBuildsAStaticBinary builds the binary as the Dockerfile
// does and checks it needs no dynamic loader or library (so it runs on a
// distroless static or scratch base), carries the version, and that the
// image runs it as non-root with no shell.
func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds runai-sync")
	}
	bin := dockerBuild(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("the binary is dynamically linked (%s program header)", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries: %v", libs)
	}
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "runai-sync v0.0.0-test" {
		t.Errorf("version: %q, %v; want runai-sync v0.0.0-test", out, err)
	}

	raw, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var from, user, entrypoint string
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch word, rest, _ := strings.Cut(line, " "); word {
		case "FROM":
			from, user = rest, "" // the last stage is the image
		case "USER":
			user = rest
		case "ENTRYPOINT":
			entrypoint = rest
		}
	}
	if !strings.Contains(from, "distroless/static") && from != "scratch" {
		t.Errorf("the image is based on %q: want distroless/static or scratch (no shell, no libc)", from)
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("the image runs as %q: want a non-root user", user)
	}
	if !strings.HasPrefix(entrypoint, `["/`) {
		t.Errorf("ENTRYPOINT %s: want the exec form (no shell)", entrypoint)
	}
}

// cronJob is the part of a CronJob the test reads.
type cronJob struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       struct {
		Schedule          string `json:"schedule"`
		ConcurrencyPolicy string `json:"concurrencyPolicy"`
		JobTemplate       struct {
			Spec struct {
				Template struct {
					Spec struct {
						RestartPolicy   string `json:"restartPolicy"`
						SecurityContext struct {
							RunAsNonRoot bool `json:"runAsNonRoot"`
						} `json:"securityContext"`
						Containers []struct {
							Args []string `json:"args"`
							Env  []struct {
								Name, Value string
							} `json:"env"`
							EnvFrom []struct {
								SecretRef *struct {
									Name string `json:"name"`
								} `json:"secretRef"`
							} `json:"envFrom"`
							SecurityContext struct {
								ReadOnlyRootFilesystem   bool `json:"readOnlyRootFilesystem"`
								AllowPrivilegeEscalation *bool
							} `json:"securityContext"`
							VolumeMounts []struct {
								Name, MountPath string
							} `json:"volumeMounts"`
						} `json:"containers"`
					} `json:"spec"`
				} `json:"template"`
			} `json:"spec"`
		} `json:"jobTemplate"`
	} `json:"spec"`
}

// TestCronJobExample checks the CronJob example, then runs its command
// line with the built binary against the emulator, the manifests laid out
// as Kubernetes mounts a ConfigMap (symbolic links into ..data) and the
// connection from the environment, as its Secret gives it.
func TestCronJobExample(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "examples/kubernetes/drift-cronjob.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cj cronJob
	if err := yaml.UnmarshalStrict(raw, &cj, yaml.DisallowUnknownFields); err != nil {
		// Unknown fields are fine for Kubernetes; only the shape read here matters.
		if err := yaml.Unmarshal(raw, &cj); err != nil {
			t.Fatal(err)
		}
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	switch {
	case cj.APIVersion != "batch/v1" || cj.Kind != "CronJob" || cj.Spec.Schedule == "":
		t.Fatalf("not a batch/v1 CronJob with a schedule: %s %s %q", cj.APIVersion, cj.Kind, cj.Spec.Schedule)
	case len(pod.Containers) != 1:
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	case pod.RestartPolicy != "Never" || cj.Spec.ConcurrencyPolicy != "Forbid":
		t.Errorf("restartPolicy %q, concurrencyPolicy %q: want Never and Forbid", pod.RestartPolicy, cj.Spec.ConcurrencyPolicy)
	case !pod.SecurityContext.RunAsNonRoot:
		t.Error("the pod may run as root")
	}
	c := pod.Containers[0]
	if !c.SecurityContext.ReadOnlyRootFilesystem || c.SecurityContext.AllowPrivilegeEscalation == nil || *c.SecurityContext.AllowPrivilegeEscalation {
		t.Error("the container's root filesystem is writable or it may escalate privileges")
	}
	if len(c.EnvFrom) == 0 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Name == "" {
		t.Error("the connection does not come from a Secret (envFrom.secretRef)")
	}
	if len(c.Args) == 0 || c.Args[0] != "drift" {
		t.Fatalf("args %v: want drift …", c.Args)
	}
	i := slices.Index(c.Args, "-f")
	if i < 0 || i+1 == len(c.Args) || !slices.ContainsFunc(c.VolumeMounts, func(m struct{ Name, MountPath string }) bool { return m.MountPath == c.Args[i+1] }) {
		t.Fatalf("args %v: -f must name a mounted volume (%v)", c.Args, c.VolumeMounts)
	}
	if testing.Short() {
		return
	}

	// Its command line, for real: the manifests as a ConfigMap mount.
	mount := t.TempDir()
	stamp := filepath.Join(mount, "..2026_06_01_12_00_00.000000001")
	if err := os.Mkdir(stamp, 0o755); err != nil {
		t.Fatal(err)
	}
	manifest := "apiVersion: runai-sync/v1\nkind: Credential\nmetadata: {name: registry, scope: project, projectId: 12}\nspec: {type: password, existingSecretName: registry-pull}\n"
	if err := os.WriteFile(filepath.Join(stamp, "registry.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, link := range [][2]string{{filepath.Base(stamp), "..data"}, {"..data/registry.yaml", "registry.yaml"}} {
		if err := os.Symlink(link[0], filepath.Join(mount, link[1])); err != nil {
			t.Fatal(err)
		}
	}
	args := slices.Clone(c.Args)
	args[i+1] = mount
	if j := slices.Index(args, "--pushgateway"); j >= 0 {
		if url := os.Getenv("RUNAI_SYNC_TEST_PUSHGATEWAY"); url != "" {
			args[j+1] = url
		} else {
			args = slices.Delete(args, j, j+2)
		}
	}
	emu := emulator.Start(t, emulator.Options{})
	bin := dockerBuild(t)
	cmd := exec.Command(bin, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"RUNAI_BASE_URL=" + emu.URL, "RUNAI_CLIENT_ID=" + emu.ClientID, "RUNAI_CLIENT_SECRET=" + emu.ClientSecret, "RUNAI_SYNC_STATE=none", "HOME=" + cmd.Dir}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "+ password registry") {
		t.Fatalf("drift of a missing credential: %v, want exit 2 naming it:\n%s", err, out)
	}
}
