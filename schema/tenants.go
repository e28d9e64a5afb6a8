package schema

import (
	"bytes"
	"errors"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/runai-sync/runai-sync/manifest"
)

// KindTenants is the kind of the tenants file (runai-sync.yaml): not a
// manifest, but described by the same schema so that editors check it.
const KindTenants = "Tenants"

var loadTenants = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(ID, doc); err != nil {
		return nil, err
	}
	return c.Compile(ID + "#/$defs/" + KindTenants)
})

// ValidateTenants checks a tenants file document against the schema's
// Tenants definition; the diagnostics say file:line:col and the field.
func ValidateTenants(d *manifest.Document) manifest.Diagnostics {
	c, err := load()
	if err != nil {
		panic("the embedded schema does not compile: " + err.Error())
	}
	s, err := loadTenants()
	if err != nil {
		panic("the embedded schema does not compile: " + err.Error())
	}
	if err = s.Validate(d.Value); err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return manifest.Diagnostics{{Pos: d.Start, Message: err.Error()}}
	}
	var ds manifest.Diagnostics
	for _, leaf := range leaves(ve) {
		ds = append(ds, c.translate(d, leaf)...)
	}
	return ds.Sort()
}
