// SPDX-License-Identifier: MPL-2.0

package ranchersim

import "strings"

// fieldDef is one resourceFields entry of a schema.
type fieldDef struct {
	name     string
	typ      string
	create   bool
	update   bool
	required bool
	nullable bool
	// readOnCreateOnly: the value is only returned in POST responses
	// (README §11); the projectadmin role reads it everywhere.
	readOnCreateOnly bool
	minLength        int // 0 = none
	maxLength        int // 0 = none
	options          []string
	// adminOnly fields are only in the schemas of the admin role (README §12).
	adminOnly bool
}

type schemaDef struct {
	id                string
	plural            string // lower-case collection path segment
	pluralName        string
	parent            string
	resourceMethods   []string
	collectionMethods []string
	fields            []fieldDef
	actions           []string // resourceActions (input null, output actionOutput)
	actionOutput      string
	filters           []filterField
	includeableLinks  []string
}

var stateOptions = []string{"activating", "active", "deactivating", "inactive", "purged", "purging",
	"registering", "removed", "removing", "requested", "updating-active", "updating-inactive"}

var commonFields = []fieldDef{
	{name: "created", typ: "date", nullable: true},
	{name: "id", typ: "int"},
	{name: "kind", typ: "string", nullable: true, maxLength: 255},
	{name: "removed", typ: "date", nullable: true},
	{name: "state", typ: "enum", maxLength: 128, options: stateOptions},
	{name: "transitioning", typ: "enum", options: []string{"yes", "no", "error"}},
	{name: "transitioningMessage", typ: "string", nullable: true},
	{name: "transitioningProgress", typ: "int", nullable: true},
	{name: "uuid", typ: "string", nullable: true, maxLength: 128},
}

func withCommon(fields ...fieldDef) []fieldDef {
	return append(append([]fieldDef{}, commonFields...), fields...)
}

// adminFields are the fields of registry and registryCredential that exist
// only in the admin roles' schemas (README §12).
var adminFields = []fieldDef{
	{name: "data", typ: "map[json]", nullable: true, adminOnly: true},
	{name: "removeTime", typ: "date", nullable: true, adminOnly: true},
}

// schemas are served in this order.
var schemas = []schemaDef{
	{
		id: "apiVersion", pluralName: "apiVersions", resourceMethods: []string{"GET"},
		fields: []fieldDef{{name: "id", typ: "string"}},
	},
	{
		id: "error", pluralName: "errors", resourceMethods: []string{"GET"},
		fields: []fieldDef{
			{name: "code", typ: "string"}, {name: "detail", typ: "string", nullable: true},
			{name: "fieldName", typ: "string", nullable: true},
			{name: "message", typ: "string", nullable: true}, {name: "status", typ: "int"},
		},
	},
	{
		id: typeProject, plural: "projects", pluralName: "projects",
		resourceMethods: []string{"GET"}, collectionMethods: []string{"GET"},
		fields: withCommon(
			fieldDef{name: "description", typ: "string", nullable: true, maxLength: 1024},
			fieldDef{name: "name", typ: "string", nullable: true, maxLength: 255},
		),
		filters: projectFilters,
	},
	{
		id: typeRegistry, plural: "registries", pluralName: "registries", parent: "storagePool",
		resourceMethods: []string{"GET", "PUT", "DELETE"}, collectionMethods: []string{"GET", "POST"},
		fields: withCommon(
			fieldDef{name: "accountId", typ: "reference[account]", nullable: true, maxLength: 255},
			fieldDef{name: "blockDevicePath", typ: "string", nullable: true, maxLength: 255},
			fieldDef{name: "description", typ: "string", create: true, update: true, nullable: true, maxLength: 1024},
			fieldDef{name: "driverName", typ: "string", nullable: true, maxLength: 255},
			fieldDef{name: "externalId", typ: "string", nullable: true, maxLength: 128},
			fieldDef{name: "name", typ: "string", create: true, update: true, nullable: true, maxLength: 255},
			fieldDef{name: "serverAddress", typ: "string", create: true, required: true, minLength: 1},
			fieldDef{name: "volumeAccessMode", typ: "string", nullable: true},
			fieldDef{name: "volumeCapabilities", typ: "array[string]", nullable: true},
			adminFields[0], adminFields[1],
		),
		actions: resourceActions, actionOutput: "storagePool",
		filters: registryFilters, includeableLinks: []string{"account", "credentials"},
	},
	{
		id: typeCredential, plural: "registrycredentials", pluralName: "registryCredentials", parent: "credential",
		resourceMethods: []string{"GET", "PUT", "DELETE"}, collectionMethods: []string{"GET", "POST"},
		fields: withCommon(
			fieldDef{name: "accountId", typ: "reference[account]", nullable: true, maxLength: 255},
			fieldDef{name: "description", typ: "string", create: true, update: true, nullable: true, maxLength: 1024},
			fieldDef{name: "email", typ: "string", create: true, update: true, required: true, minLength: 1},
			fieldDef{name: "name", typ: "string", create: true, update: true, nullable: true, maxLength: 255},
			fieldDef{name: "publicValue", typ: "string", create: true, update: true, nullable: true, maxLength: 4096},
			fieldDef{name: "registryId", typ: "reference[registry]", create: true, required: true, maxLength: 255},
			fieldDef{name: "secretValue", typ: "password", create: true, update: true, nullable: true, maxLength: 4096,
				readOnCreateOnly: true},
			adminFields[0], adminFields[1],
		),
		actions: resourceActions, actionOutput: "credential",
		filters: credentialFilters, includeableLinks: []string{"images", "account", "registry", "instances"},
	},
	{
		id: typeSchema, plural: "schemas", pluralName: "schemas",
		resourceMethods: []string{"GET"}, collectionMethods: []string{"GET"},
		fields: []fieldDef{
			{name: "collectionMethods", typ: "array[string]"}, {name: "id", typ: "string"},
			{name: "pluralName", typ: "string"}, {name: "resourceFields", typ: "map[json]"},
			{name: "resourceMethods", typ: "array[string]"},
		},
	},
}

func findSchema(id string) *schemaDef {
	for i := range schemas {
		if strings.EqualFold(schemas[i].id, id) {
			return &schemas[i]
		}
	}
	return nil
}

func (v view) renderSchema(d *schemaDef) jobj {
	links := jobj{{"self", v.url("schemas", d.id)}}
	if d.plural != "" {
		links = append(links, kv{"collection", v.url(d.plural)})
	}
	write := canWrite(v.role)
	resMethods, colMethods := d.resourceMethods, d.collectionMethods
	if !write {
		resMethods, colMethods = onlyGET(resMethods), onlyGET(colMethods)
	}
	fields := jobj{}
	for i := range d.fields {
		f := &d.fields[i]
		if f.adminOnly && v.role != "admin" {
			continue
		}
		fields = append(fields, kv{f.name, v.renderField(f, write)})
	}
	actions := jobj{}
	if write {
		for _, a := range d.actions {
			actions = append(actions, kv{a, jobj{{"input", nil}, {"output", d.actionOutput}}})
		}
	}
	filters := jobj{}
	for _, f := range d.filters {
		filters = append(filters, kv{f.name, jobj{{"modifiers", f.modifiers()}}})
	}
	if resMethods == nil {
		resMethods = []string{}
	}
	if colMethods == nil {
		colMethods = []string{}
	}
	out := jobj{{"id", d.id}, {"type", typeSchema}, {"links", links}, {"actions", jobj{}},
		{"pluralName", d.pluralName}, {"resourceMethods", resMethods}, {"resourceFields", fields},
		{"resourceActions", actions}, {"collectionMethods", colMethods}, {"collectionFields", jobj{}},
		{"collectionActions", jobj{}}, {"collectionFilters", filters},
		{"includeableLinks", nonNil(d.includeableLinks)}, {"children", []string{}}}
	if d.parent != "" {
		out = append(out, kv{"parent", d.parent})
	}
	return out
}

// renderField writes a field as gdapi's Field is serialised by Cattle:
// description (always null here), create, update and readOnCreateOnly are
// always there; nullable and required only when true; minLength, maxLength
// and options only when set (README §12). No field here is unique or has a
// default, which Cattle would also write.
func (v view) renderField(f *fieldDef, write bool) jobj {
	fo := jobj{{"type", f.typ}, {"description", nil}, {"create", f.create && write}, {"update", f.update && write}}
	if f.nullable {
		fo = append(fo, kv{"nullable", true})
	}
	if f.required {
		fo = append(fo, kv{"required", true})
	}
	fo = append(fo, kv{"readOnCreateOnly", f.readOnCreateOnly && v.role != "projectadmin"})
	if f.minLength > 0 {
		fo = append(fo, kv{"minLength", f.minLength})
	}
	if f.maxLength > 0 {
		fo = append(fo, kv{"maxLength", f.maxLength})
	}
	if f.options != nil {
		fo = append(fo, kv{"options", f.options})
	}
	return fo
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func onlyGET(m []string) []string {
	for _, x := range m {
		if x == "GET" {
			return []string{"GET"}
		}
	}
	return []string{}
}

func (v view) schemaCollection() jobj {
	var data []any
	for i := range schemas {
		data = append(data, v.renderSchema(&schemas[i]))
	}
	return jobj{
		{"type", "collection"}, {"resourceType", typeSchema}, {"links", jobj{{"self", v.url("schemas")}}},
		{"createTypes", jobj{}}, {"actions", jobj{}}, {"data", data}, {"sortLinks", jobj{}},
		{"pagination", nil}, {"sort", nil}, {"filters", jobj{}}, {"createDefaults", jobj{}},
	}
}

func (v view) apiVersion() jobj {
	links := jobj{{"self", v.url()}}
	for i := range schemas {
		if schemas[i].plural != "" {
			links = append(links, kv{schemas[i].pluralName, v.url(schemas[i].plural)})
		}
	}
	return jobj{{"id", "v1"}, {"type", "apiVersion"}, {"links", links}, {"actions", jobj{}}}
}
