package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/runai-sync/runai-sync/internal/atomicfile"
)

// WriteFile writes the run's metrics to path in the text exposition
// format, atomically (node_exporter's textfile collector never reads half
// a file), mode 0644. The last success time of a tenant that failed this
// time is carried over from the file it replaces.
func WriteFile(path string, r Run) error {
	prev, err := previousSuccess(path, r.Command)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := encode(&buf, r.registry(r.Results, labelling{command: true, tenant: len(r.Results) > 1}, prev)); err != nil {
		return err
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("metrics file %s: %w", path, err)
	}
	return nil
}

// encode writes what g gathers as text exposition.
func encode(buf *bytes.Buffer, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	enc := expfmt.NewEncoder(buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("metrics: %w", err)
		}
	}
	return nil
}

// Parse reads text exposition into metric families by name.
func Parse(data []byte) (map[string]*dto.MetricFamily, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(bytes.NewReader(data))
}

// previousSuccess reads the last success times of command, by tenant ("" without a
// tenant label), from an earlier metrics file; none when there is no file.
func previousSuccess(path, command string) (map[string]float64, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("metrics file %s: %w", path, err)
	}
	mfs, err := Parse(data)
	if err != nil {
		// Not ours, or damaged: it is replaced, and the old times are lost.
		return nil, nil
	}
	out := map[string]float64{}
	mf := mfs[Namespace+"_last_success_timestamp_seconds"]
	if mf == nil {
		return out, nil
	}
	for _, m := range mf.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["command"] == command && m.GetGauge() != nil {
			out[labels["tenant"]] = m.GetGauge().GetValue()
		}
	}
	return out, nil
}
