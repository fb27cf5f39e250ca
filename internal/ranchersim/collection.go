// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

type fieldKind int

const (
	fkString fieldKind = iota // eq ne prefix like notlike null notnull
	fkRef                     // eq ne null notnull; values parsed as ids
	fkEnum                    // eq ne null notnull
	fkDate                    // eq ne lt lte gt gte null notnull
	fkID                      // like fkDate, on the id number
)

type filterField struct {
	name string
	kind fieldKind
}

func (f filterField) modifiers() []string {
	switch f.kind {
	case fkRef, fkEnum:
		return []string{"eq", "ne", "null", "notnull"}
	case fkDate, fkID:
		return []string{"eq", "ne", "lt", "lte", "gt", "gte", "null", "notnull"}
	default:
		return []string{"eq", "ne", "prefix", "like", "notlike", "null", "notnull"}
	}
}

func (f filterField) allows(mod string) bool {
	for _, m := range f.modifiers() {
		if m == mod {
			return true
		}
	}
	return false
}

// Filterable fields per type (README §8), in alphabetical order.
var (
	credentialFilters = []filterField{
		{"accountId", fkRef}, {"created", fkDate}, {"description", fkString}, {"id", fkID},
		{"kind", fkString}, {"name", fkString}, {"publicValue", fkString}, {"registryId", fkRef},
		{"removeTime", fkDate}, {"removed", fkDate}, {"secretValue", fkString}, {"state", fkEnum},
		{"uuid", fkString},
	}
	registryFilters = []filterField{
		{"accountId", fkRef}, {"blockDevicePath", fkString}, {"created", fkDate},
		{"description", fkString}, {"driverName", fkString}, {"externalId", fkString}, {"id", fkID},
		{"kind", fkString}, {"name", fkString}, {"removeTime", fkDate}, {"removed", fkDate},
		{"serverAddress", fkString}, {"state", fkEnum}, {"uuid", fkString},
		{"volumeAccessMode", fkString},
	}
	projectFilters = []filterField{
		{"created", fkDate}, {"description", fkString}, {"externalId", fkString}, {"id", fkID},
		{"kind", fkString}, {"name", fkString}, {"removeTime", fkDate}, {"removed", fkDate},
		{"state", fkEnum}, {"uuid", fkString},
	}
)

func filtersFor(typ string) []filterField {
	switch typ {
	case typeCredential:
		return credentialFilters
	case typeRegistry:
		return registryFilters
	case typeProject:
		return projectFilters
	}
	return nil
}

// row is something a collection lists.
type row interface {
	value(field string) any // nil, string, int64 or time.Time
	idNum() int64
}

func (o *object) value(f string) any {
	switch f {
	case "accountId":
		return parseID(o.projectID)
	case "registryId":
		if o.registryID == "" {
			return nil
		}
		return parseID(o.registryID)
	case "kind":
		return o.typ
	case "serverAddress":
		return o.serverAddress
	}
	if p := o.nullable(f); p != nil {
		return ptrVal(*p)
	}
	return o.base.value(f)
}

// nullable is the object's nullable string field of API name f, or nil when
// it has none of that name.
func (o *object) nullable(f string) **string {
	switch f {
	case "name":
		return &o.name
	case "description":
		return &o.description
	case "publicValue":
		return &o.publicValue
	case "secretValue":
		return &o.secretValue
	}
	return nil
}

func (p *account) value(f string) any {
	switch f {
	case "name":
		return p.name
	case "kind":
		return typeProject
	}
	return p.base.value(f)
}

func (b *base) idNum() int64 { return b.num }

// value is field f of a resource when it is one every resource has.
func (b *base) value(f string) any {
	switch f {
	case "id":
		return b.num
	case "created":
		return b.created
	case "removed":
		return ptrVal(b.removed)
	case "state":
		return b.state
	case "uuid":
		return b.uuid
	}
	return nil
}

// ptrVal is the value p points to, or nil.
func ptrVal[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

type condition struct {
	field filterField
	mod   string
	value string
	re    *regexp.Regexp // like / notlike
}

type listParams struct {
	pairs   [][2]string // the query, in order
	conds   []condition
	sort    *filterField
	desc    bool
	limit   int
	offset  int
	removed bool
}

const (
	defaultLimit = 100
	maxLimit     = 3000
)

func parsePairs(raw string) [][2]string {
	var out [][2]string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, [2]string{k, v})
	}
	return out
}

func parseList(rawQuery string, fields []filterField) listParams {
	p := listParams{pairs: parsePairs(rawQuery), limit: defaultLimit}
	byName := map[string]filterField{}
	for _, f := range fields {
		byName[f.name] = f
	}
	for _, kvp := range p.pairs {
		k, v := kvp[0], kvp[1]
		switch k {
		case "_removed":
			p.removed = true
			continue
		case "limit":
			if n, err := strconv.Atoi(v); err == nil {
				if n <= 0 || n > maxLimit {
					n = maxLimit
				}
				p.limit = n
			}
			continue
		case "marker":
			if strings.HasPrefix(v, "m") {
				if n, err := strconv.Atoi(v[1:]); err == nil && n >= 0 {
					p.offset = n
				}
			}
			continue
		case "sort":
			if f, ok := byName[v]; ok {
				p.sort = &f
			}
			continue
		case "order":
			p.desc = strings.EqualFold(v, "desc")
			continue
		}
		name, mod := k, "eq"
		if i := strings.LastIndex(k, "_"); i >= 0 {
			name, mod = k[:i], k[i+1:]
		}
		f, ok := byName[name]
		if !ok || !f.allows(mod) {
			continue
		}
		c := condition{field: f, mod: mod, value: v}
		if mod == "like" || mod == "notlike" {
			c.re = likeRegexp(v)
		}
		p.conds = append(p.conds, c)
	}
	return p
}

func parseDateValue(s string) (time.Time, bool) {
	if t, err := time.Parse(dateFormat, s); err == nil {
		return t, true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(n), true
	}
	return time.Time{}, false
}

// likeRegexp turns an SQL LIKE pattern (% any run, _ one character,
// backslash escapes) into a regular expression.
func likeRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	esc := false
	for _, r := range pat {
		switch {
		case esc:
			b.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case r == '\\':
			esc = true
		case r == '%':
			b.WriteString(`.*`)
		case r == '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// matches evaluates one condition with SQL semantics: any comparison with a
// NULL column is false.
func (c condition) matches(r row) bool {
	v := r.value(c.field.name)
	switch c.mod {
	case "null":
		return v == nil
	case "notnull":
		return v != nil
	}
	if v == nil {
		return false
	}
	var cmp int
	switch c.field.kind {
	case fkRef, fkID:
		n, ok := v.(int64)
		if !ok {
			return false
		}
		cmp = cmpInt(n, parseID(c.value))
	case fkDate:
		t, ok := parseDateValue(c.value)
		if !ok {
			return false
		}
		vt, ok := v.(time.Time)
		if !ok {
			return false
		}
		cmp = cmpInt(vt.UnixMilli(), t.UnixMilli())
	default:
		sv, ok := v.(string)
		if !ok {
			return false
		}
		switch c.mod {
		case "prefix":
			return strings.HasPrefix(sv, c.value)
		case "like":
			return c.re.MatchString(sv)
		case "notlike":
			return !c.re.MatchString(sv)
		}
		cmp = strings.Compare(sv, c.value)
	}
	switch c.mod {
	case "eq":
		return cmp == 0
	case "ne":
		return cmp != 0
	case "lt":
		return cmp < 0
	case "lte":
		return cmp <= 0
	case "gt":
		return cmp > 0
	case "gte":
		return cmp >= 0
	}
	return false
}

func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	// a and b are values of the same field, so they have the same type.
	switch x := a.(type) {
	case int64:
		return cmpInt(x, b.(int64)) //nolint:forcetypeassert // same field, same type
	case time.Time:
		return cmpInt(x.UnixMilli(), b.(time.Time).UnixMilli()) //nolint:forcetypeassert // same field, same type
	case string:
		return strings.Compare(x, b.(string)) //nolint:forcetypeassert // same field, same type
	}
	return 0
}

// apply filters, sorts and pages rows (already in id order). It returns the
// page and whether more rows follow.
func (p listParams) apply(rows []row) ([]row, bool) {
	var out []row
	for _, r := range rows {
		if !p.removed && r.value("removed") != nil {
			continue
		}
		ok := true
		for _, c := range p.conds {
			if !c.matches(r) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	if p.sort != nil || p.desc {
		sort.SliceStable(out, func(i, j int) bool {
			c := 0
			if p.sort != nil {
				c = compareValues(out[i].value(p.sort.name), out[j].value(p.sort.name))
			}
			if c == 0 {
				c = cmpInt(out[i].idNum(), out[j].idNum())
			}
			if p.desc {
				return c > 0
			}
			return c < 0
		})
	}
	if p.offset >= len(out) {
		return nil, false
	}
	out = out[p.offset:]
	if len(out) > p.limit {
		return out[:p.limit], true
	}
	return out, false
}

// withParams returns the query of pairs without the keys in drop, plus add.
func withParams(pairs [][2]string, drop []string, add ...[2]string) string {
	var parts []string
	for _, kvp := range pairs {
		skip := false
		for _, d := range drop {
			if kvp[0] == d {
				skip = true
			}
		}
		if !skip {
			parts = append(parts, url.QueryEscape(kvp[0])+"="+url.QueryEscape(kvp[1]))
		}
	}
	for _, kvp := range add {
		parts = append(parts, url.QueryEscape(kvp[0])+"="+url.QueryEscape(kvp[1]))
	}
	return strings.Join(parts, "&")
}

// collection renders a collection (README §8). path is the request
// URL without its query.
func collection(resourceType string, fields []filterField, path string, p listParams, data []any, more bool) jobj {
	self := path
	if q := withParams(p.pairs, nil); q != "" {
		self += "?" + q
	}
	sortLinks := jobj{}
	filters := jobj{}
	for _, f := range fields {
		sortLinks = append(sortLinks, kv{f.name, path + "?" + withParams(p.pairs, []string{"sort", "order", "marker"}, [2]string{"sort", f.name})})
		var conds []any
		for _, c := range p.conds {
			if c.field.name == f.name {
				var val any = c.value
				if c.mod == "null" || c.mod == "notnull" {
					val = nil
				}
				conds = append(conds, jobj{{"modifier", c.mod}, {"value", val}})
			}
		}
		if conds == nil {
			filters = append(filters, kv{f.name, nil})
		} else {
			filters = append(filters, kv{f.name, conds})
		}
	}
	var next any
	if more {
		next = path + "?" + withParams(p.pairs, []string{"marker"}, [2]string{"marker", "m" + strconv.Itoa(p.offset+p.limit)})
	}
	var sortObj any
	if p.sort != nil {
		order, other := "asc", "desc"
		if p.desc {
			order, other = "desc", "asc"
		}
		sortObj = jobj{{"name", p.sort.name}, {"order", order},
			{"reverse", path + "?" + withParams(p.pairs, []string{"order", "marker"}, [2]string{"order", other})}}
	}
	if data == nil {
		data = []any{}
	}
	return jobj{
		{"type", "collection"}, {"resourceType", resourceType}, {"links", jobj{{"self", self}}},
		{"createTypes", jobj{}}, {"actions", jobj{}}, {"data", data}, {"sortLinks", sortLinks},
		{"pagination", jobj{{"first", nil}, {"previous", nil}, {"next", next}, {"limit", p.limit},
			{"total", nil}, {"partial", more}}},
		{"sort", sortObj}, {"filters", filters}, {"createDefaults", jobj{}},
	}
}
