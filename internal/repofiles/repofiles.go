// Package repofiles finds the files of the repository that tests compare
// two readers over: the files below some folders, and the files inside
// testscript archives (txtar), which hold most scenarios' manifests. It
// imports nothing of runai-sync, so that the manifest package's own tests
// can use it.
package repofiles

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// File is one file found: its path (for a file inside an archive, its
// name there) and its content.
type File struct {
	Name string
	Data []byte
}

// Walk returns the files below roots that keep accepts, and the files of
// each .txtar archive below them that keep accepts, in walk order. A file
// that cannot be read is left out.
func Walk(roots []string, keep func(name string) bool) []File {
	var out []File
	for _, root := range roots {
		_ = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			switch {
			case strings.HasSuffix(path, ".txtar"):
				for _, f := range txtar.Parse(data).Files {
					if keep(f.Name) {
						out = append(out, File{Name: f.Name, Data: f.Data})
					}
				}
			case keep(path):
				out = append(out, File{Name: path, Data: data})
			}
			return nil
		})
	}
	return out
}
