package provider

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Helpers of the tests that run the terraform CLI themselves, for what
// terraform-plugin-testing cannot drive (-generate-config-out, SIGINT).

// terraformPath is the CLI the acceptance tests use.
func terraformPath(t *testing.T) string {
	t.Helper()
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("no terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
	}
	return tf
}

// devOverridesConfig builds the provider from this checkout and writes a
// CLI configuration that makes Terraform use it with no network: a
// dev_overrides entry, and a filesystem mirror for init, which also holds
// the extra providers.
func devOverridesConfig(t *testing.T, dir string, extra ...mirroredProvider) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-rancher"), "github.com/cattle-ops/terraform-provider-rancher")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	provider, err := os.ReadFile(filepath.Join(bin, "terraform-provider-rancher"))
	if err != nil {
		t.Fatal(err)
	}
	// Terraform looks for cattle-ops/rancher under registry.terraform.io,
	// OpenTofu under registry.opentofu.org.
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		mirrored := filepath.Join(dir, "mirror", host, "cattle-ops", "rancher", "0.0.1", runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-rancher_v0.0.1")
		writeFile(t, mirrored, string(provider))
		if err := os.Chmod(mirrored, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	include := `"cattle-ops/rancher"`
	for _, m := range extra {
		m.install(t, filepath.Join(dir, "mirror"))
		include += fmt.Sprintf(", %q", m.source)
	}
	config := filepath.Join(dir, "terraformrc")
	writeFile(t, config, fmt.Sprintf(`
provider_installation {
  dev_overrides {
    "cattle-ops/rancher" = %q
  }
  filesystem_mirror {
    path    = %q
    include = [%s]
  }
}
`, bin, filepath.Join(dir, "mirror"), include))
	return config
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// safeBuffer collects a process's output while the test reads it.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
