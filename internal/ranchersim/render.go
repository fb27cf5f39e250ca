// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// jobj is a JSON object that keeps its key order.
type jobj []kv

type kv struct {
	k string
	v any
}

func (o jobj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := marshal(e.k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping, so URLs keep their "&".
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

const dateFormat = "2006-01-02T15:04:05Z"

func fmtDate(t time.Time) string { return t.UTC().Format(dateFormat) }

func strOrNull(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// view is what rendering depends on for one request.
type view struct {
	base        string // scheme://host, lower-cased
	sub         string // "/projects/<pid>" when the URL named the project, else ""
	role        string
	post        bool // POST responses echo readOnCreateOnly fields
	actionLinks bool // X-API-Action-Links: write "actionLinks" instead of "actions"
}

func (v view) url(parts ...string) string {
	if len(parts) == 0 {
		return strings.ToLower(v.base + "/v1" + v.sub)
	}
	return strings.ToLower(v.base + "/v1" + v.sub + "/" + strings.Join(parts, "/"))
}

// canWrite reports whether the role may create, update, delete and act.
func canWrite(role string) bool {
	switch role {
	case "project", "owner", "member", "restricted", "projectadmin":
		return true
	}
	return false
}

func (v view) actionsKey() string {
	if v.actionLinks {
		return "actionLinks"
	}
	return "actions"
}

func (v view) actions(self, state string) jobj {
	a := jobj{}
	if !canWrite(v.role) {
		return a
	}
	for _, name := range actionsByState[state] {
		a = append(a, kv{name, self + "/?action=" + name})
	}
	return a
}

func (v view) renderObject(o *object) jobj {
	if o.typ == typeRegistry {
		return v.renderRegistry(o)
	}
	return v.renderCredential(o)
}

func (v view) renderCredential(o *object) jobj {
	self := v.url("registrycredentials", o.id)
	links := jobj{{"self", self}, {"account", self + "/account"}, {"images", self + "/images"},
		{"instances", self + "/instances"}}
	if o.registryID != "" {
		links = append(links, kv{"registry", self + "/registry"})
	}
	tr, msg := o.transitioning()
	var secret any
	if v.post || v.role == "projectadmin" {
		secret = strOrNull(o.secretValue)
	}
	out := jobj{
		{"id", o.id}, {"type", typeCredential}, {"links", links}, {v.actionsKey(), v.actions(self, o.state)},
		{"baseType", "credential"}, {"name", strOrNull(o.name)}, {"state", o.state},
		{"accountId", o.projectID}, {"created", fmtDate(o.created)}, {"createdTS", o.created.UnixMilli()},
		{"description", strOrNull(o.description)}, {"email", o.email}, {"kind", typeCredential},
		{"publicValue", strOrNull(o.publicValue)}, {"registryId", nullIfEmpty(o.registryID)},
	}
	out = appendRemoved(out, o.removed)
	out = append(out, jobj{{"secretValue", secret}, {"transitioning", tr}, {"transitioningMessage", strOrNull(msg)},
		{"transitioningProgress", nil}, {"uuid", o.uuid}}...)
	return out
}

func (v view) renderRegistry(o *object) jobj {
	self := v.url("registries", o.id)
	links := jobj{{"self", self}, {"account", self + "/account"}, {"credentials", self + "/credentials"}}
	tr, msg := o.transitioning()
	out := jobj{
		{"id", o.id}, {"type", typeRegistry}, {"links", links}, {v.actionsKey(), v.actions(self, o.state)},
		{"baseType", "storagePool"}, {"name", strOrNull(o.name)}, {"state", o.state},
		{"accountId", o.projectID}, {"blockDevicePath", nil}, {"created", fmtDate(o.created)},
		{"createdTS", o.created.UnixMilli()}, {"description", strOrNull(o.description)},
		{"driverName", nil}, {"externalId", nil}, {"kind", typeRegistry},
	}
	out = appendRemoved(out, o.removed)
	out = append(out, jobj{{"serverAddress", o.serverAddress}, {"transitioning", tr},
		{"transitioningMessage", strOrNull(msg)}, {"transitioningProgress", nil}, {"uuid", o.uuid},
		{"volumeAccessMode", nil}, {"volumeCapabilities", nil}}...)
	return out
}

func (v view) renderProject(p *account) jobj {
	self := strings.ToLower(v.base + "/v1/projects/" + p.id)
	links := jobj{{"self", self}, {"registries", self + "/registries"},
		{"registryCredentials", self + "/registrycredentials"}, {"schemas", self + "/schemas"}}
	tr := "no"
	out := jobj{
		{"id", p.id}, {"type", typeProject}, {"links", links}, {v.actionsKey(), jobj{}},
		{"name", p.name}, {"state", p.state},
		{"created", fmtDate(p.created)}, {"createdTS", p.created.UnixMilli()}, {"defaultNetworkId", nil},
		{"description", nil}, {"healthState", "healthy"}, {"kind", typeProject}, {"kubernetes", false},
		{"mesos", false}, {"orchestration", "cattle"}, {"publicDns", false},
	}
	out = appendRemoved(out, p.removed)
	out = append(out, jobj{{"servicesPortRange", nil}, {"swarm", false}, {"transitioning", tr},
		{"transitioningMessage", nil}, {"transitioningProgress", nil}, {"uuid", p.uuid},
		{"virtualMachine", false}}...)
	return out
}

func appendRemoved(out jobj, removed *time.Time) jobj {
	if removed == nil {
		return append(out, kv{"removed", nil})
	}
	return append(out, kv{"removed", fmtDate(*removed)}, kv{"removedTS", removed.UnixMilli()})
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// errorBody is the JSON of an error (README §9).
func errorBody(e *APIError) jobj {
	out := jobj{{"id", newUUID()}, {"type", "error"}, {"links", jobj{}}, {"actions", jobj{}},
		{"baseType", "error"}, {"status", e.Status}, {"code", e.Code}}
	if e.Status == 422 {
		return append(out, kv{"message", nil}, kv{"detail", nil}, kv{"fieldName", e.FieldName})
	}
	return append(out, kv{"message", e.Code}, kv{"detail", nil})
}
