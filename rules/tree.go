package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
	"go.yaml.in/yaml/v3"
)

// A rules file is checked on a tree of its own, built from the file's
// syntax with every key's position, before viper decodes it: viper (and
// mapstructure under it) drops unknown keys, folds case and converts
// types without a word, and keeps no positions at all.

// tkind is the shape of a tree node.
type tkind int

const (
	tNull tkind = iota
	tMap
	tList
	tScalar
)

// Scalar types, as the format wrote them.
const (
	sString = "string"
	sInt    = "integer"
	sFloat  = "number"
	sBool   = "boolean"
	sTime   = "date"
)

// pos is a 1-based line and column; line 0 when the format gave none.
type pos struct{ line, col int }

type tnode struct {
	kind tkind
	typ  string // scalar type (sString, ...)
	str  string // a scalar's text (a string's value)
	b    bool   // a boolean's value
	at   pos
	keys []tkey
	list []*tnode
}

type tkey struct {
	name string
	at   pos
	val  *tnode
}

// get returns the value of key k in a map node, nil if absent.
func (n *tnode) get(k string) *tnode {
	if n == nil {
		return nil
	}
	for _, kv := range n.keys {
		if kv.name == k {
			return kv.val
		}
	}
	return nil
}

// maxTreeDepth bounds nesting: a rules file is four levels deep, and the
// builders recurse, so a hostile file must not take the stack.
const maxTreeDepth = 64

var errTooDeep = fmt.Errorf("nested more than %d levels deep", maxTreeDepth)

// lineIndex turns byte offsets into positions.
type lineIndex []int // offsets at which lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l lineIndex) pos(off int) pos {
	i := sort.Search(len(l), func(i int) bool { return l[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return pos{line: i + 1, col: off - l[i] + 1}
}

// buildTree parses data in format into a tree with positions.
func buildTree(data []byte, format string) (*tnode, error) {
	switch format {
	case "yaml":
		return yamlTree(data)
	case "json":
		return jsonTree(data)
	case "toml":
		return tomlTree(data)
	}
	return nil, fmt.Errorf("unknown rules format %q", format)
}

// maxTreeNodes bounds the tree a YAML file's aliases expand to: ten
// aliases of ten aliases of ... would otherwise make billions of nodes
// from a few lines.
const maxTreeNodes = 1 << 20

func yamlTree(data []byte) (*tnode, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return &tnode{kind: tNull}, nil
	}
	budget := maxTreeNodes
	return fromYAML(doc.Content[0], 0, &budget)
}

func fromYAML(y *yaml.Node, depth int, budget *int) (*tnode, error) {
	if depth > maxTreeDepth {
		return nil, errTooDeep
	}
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("aliases expand to more than %d values", maxTreeNodes)
	}
	for y.Kind == yaml.AliasNode && y.Alias != nil {
		y = y.Alias
		depth++
		if depth > maxTreeDepth {
			return nil, errTooDeep
		}
	}
	n := &tnode{at: pos{y.Line, y.Column}}
	switch y.Kind {
	case yaml.MappingNode:
		n.kind = tMap
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			val, err := fromYAML(v, depth+1, budget)
			if err != nil {
				return nil, err
			}
			// `<<: *anchor` merges the anchored mapping's keys here.
			if k.Tag == "!!merge" && val.kind == tMap {
				n.keys = append(n.keys, val.keys...)
				continue
			}
			n.keys = append(n.keys, tkey{name: k.Value, at: pos{k.Line, k.Column}, val: val})
		}
	case yaml.SequenceNode:
		n.kind = tList
		for _, c := range y.Content {
			val, err := fromYAML(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			n.list = append(n.list, val)
		}
	case yaml.ScalarNode:
		n.kind = tScalar
		switch y.ShortTag() {
		case "!!null":
			n.kind = tNull
		case "!!int":
			n.typ = sInt
		case "!!float":
			n.typ = sFloat
		case "!!bool":
			n.typ, n.b = sBool, strings.EqualFold(y.Value, "true")
		case "!!timestamp":
			n.typ = sTime
		default:
			n.typ = sString
		}
		n.str = y.Value
	default:
		n.kind = tNull
	}
	return n, nil
}

func jsonTree(data []byte) (*tnode, error) {
	// Unmarshal finds syntax errors (trailing text too) with an offset,
	// which the token walk below would not all report.
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	lines := newLineIndex(data)
	// next reads a token and where it starts: InputOffset is just past
	// the previous token, before the white space, ':' or ',' that the
	// decoder consumes along with this one.
	next := func() (json.Token, pos, error) {
		off := int(dec.InputOffset())
		for off < len(data) && bytes.IndexByte([]byte(" \t\r\n:,"), data[off]) >= 0 {
			off++
		}
		tok, err := dec.Token()
		return tok, lines.pos(off), err
	}
	var value func(tok json.Token, at pos, depth int) (*tnode, error)
	value = func(tok json.Token, at pos, depth int) (*tnode, error) {
		if depth > maxTreeDepth {
			return nil, errTooDeep
		}
		n := &tnode{at: at}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				n.kind = tMap
				for dec.More() {
					k, kat, err := next()
					if err != nil {
						return nil, err
					}
					name, _ := k.(string)
					vt, vat, err := next()
					if err != nil {
						return nil, err
					}
					v, err := value(vt, vat, depth+1)
					if err != nil {
						return nil, err
					}
					n.keys = append(n.keys, tkey{name: name, at: kat, val: v})
				}
			case '[':
				n.kind = tList
				for dec.More() {
					vt, vat, err := next()
					if err != nil {
						return nil, err
					}
					v, err := value(vt, vat, depth+1)
					if err != nil {
						return nil, err
					}
					n.list = append(n.list, v)
				}
			default:
				return nil, fmt.Errorf("unexpected %v", t)
			}
			if _, err := dec.Token(); err != nil { // the closing delimiter
				return nil, err
			}
		case string:
			n.kind, n.typ, n.str = tScalar, sString, t
		case json.Number:
			n.kind, n.typ, n.str = tScalar, sFloat, t.String()
			if _, err := t.Int64(); err == nil {
				n.typ = sInt
			}
		case bool:
			n.kind, n.typ, n.b, n.str = tScalar, sBool, t, fmt.Sprint(t)
		case nil:
			n.kind = tNull
		}
		return n, nil
	}
	tok, at, err := next()
	if errors.Is(err, io.EOF) {
		return &tnode{kind: tNull}, nil
	}
	if err != nil {
		return nil, err
	}
	return value(tok, at, 0)
}

func tomlTree(data []byte) (*tnode, error) {
	// The decoder checks what the bare parser does not (a key or table
	// defined twice) and gives its errors a position.
	var v map[string]any
	if err := toml.Unmarshal(data, &v); err != nil {
		var de *toml.DecodeError
		if !errors.As(err, &de) {
			// A key defined twice comes without a position; the
			// parser's tree has both, so say where.
			if t, terr := tomlParse(data); terr == nil {
				if at, key, ok := firstDuplicate(t, 0); ok {
					return nil, &posError{at, fmt.Sprintf("key %s is already defined", key)}
				}
			}
		}
		return nil, err
	}
	return tomlParse(data)
}

// firstDuplicate finds the first key given twice in one map of the
// tree: its second occurrence.
func firstDuplicate(n *tnode, depth int) (pos, string, bool) {
	if n == nil || depth > maxTreeDepth {
		return pos{}, "", false
	}
	seen := map[string]bool{}
	for _, k := range n.keys {
		if seen[k.name] {
			return k.at, k.name, true
		}
		seen[k.name] = true
		if at, key, ok := firstDuplicate(k.val, depth+1); ok {
			return at, key, ok
		}
	}
	for _, it := range n.list {
		if at, key, ok := firstDuplicate(it, depth+1); ok {
			return at, key, ok
		}
	}
	return pos{}, "", false
}

// posError is a parse error at a position the decoder did not give.
type posError struct {
	at  pos
	msg string
}

func (e *posError) Error() string { return e.msg }

// tomlParse builds the tree of a TOML file with go-toml's parser, which
// keeps every key's offset.
func tomlParse(data []byte) (*tnode, error) {
	lines := newLineIndex(data)
	var p unstable.Parser
	p.Reset(data)
	at := func(n *unstable.Node) pos {
		if n == nil || n.Raw.Length == 0 && n.Raw.Offset == 0 {
			return pos{}
		}
		return lines.pos(int(n.Raw.Offset))
	}
	root := &tnode{kind: tMap, at: pos{1, 1}}
	// child returns the map under key name of m, made if missing; an
	// array of tables yields its last table, as TOML reads it.
	child := func(m *tnode, name string, kat pos) *tnode {
		for i := range m.keys {
			if m.keys[i].name == name {
				v := m.keys[i].val
				if v.kind == tList && len(v.list) > 0 {
					return v.list[len(v.list)-1]
				}
				return v
			}
		}
		c := &tnode{kind: tMap, at: kat}
		m.keys = append(m.keys, tkey{name: name, at: kat, val: c})
		return c
	}
	keyParts := func(it unstable.Iterator) (names []string, ats []pos) {
		for it.Next() {
			names = append(names, string(it.Node().Data))
			ats = append(ats, at(it.Node()))
		}
		return
	}
	var value func(v *unstable.Node, kat pos, depth int) (*tnode, error)
	// keyval puts one `a.b = v` into m.
	keyval := func(m *tnode, kv *unstable.Node, depth int) error {
		names, ats := keyParts(kv.Key())
		if len(names) == 0 {
			return nil
		}
		for i := 0; i+1 < len(names); i++ {
			m = child(m, names[i], ats[i])
		}
		v, err := value(kv.Value(), ats[len(ats)-1], depth+1)
		if err != nil {
			return err
		}
		m.keys = append(m.keys, tkey{name: names[len(names)-1], at: ats[len(ats)-1], val: v})
		return nil
	}
	value = func(v *unstable.Node, kat pos, depth int) (*tnode, error) {
		if depth > maxTreeDepth {
			return nil, errTooDeep
		}
		n := &tnode{kind: tScalar, at: at(v), str: string(v.Data)}
		if n.at.line == 0 {
			n.at = kat
		}
		switch v.Kind {
		case unstable.String:
			n.typ = sString
		case unstable.Integer:
			n.typ = sInt
		case unstable.Float:
			n.typ = sFloat
		case unstable.Bool:
			n.typ, n.b = sBool, n.str == "true"
		case unstable.Array:
			n.kind = tList
			it := v.Children()
			for it.Next() {
				c, err := value(it.Node(), n.at, depth+1)
				if err != nil {
					return nil, err
				}
				n.list = append(n.list, c)
			}
		case unstable.InlineTable:
			n.kind = tMap
			it := v.Children()
			for it.Next() {
				if err := keyval(n, it.Node(), depth+1); err != nil {
					return nil, err
				}
			}
		default:
			n.typ = sTime
		}
		return n, nil
	}
	cur := root
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.KeyValue:
			if err := keyval(cur, e, 0); err != nil {
				return nil, err
			}
		case unstable.Table, unstable.ArrayTable:
			names, ats := keyParts(e.Key())
			if len(names) == 0 {
				continue
			}
			m := root
			for i := 0; i+1 < len(names); i++ {
				m = child(m, names[i], ats[i])
			}
			last, lat := names[len(names)-1], ats[len(ats)-1]
			if e.Kind == unstable.Table {
				cur = child(m, last, lat)
				continue
			}
			var list *tnode
			for _, kv := range m.keys {
				if kv.name == last {
					list = kv.val
				}
			}
			if list == nil {
				list = &tnode{kind: tList, at: lat}
				m.keys = append(m.keys, tkey{name: last, at: lat, val: list})
			}
			if list.kind != tList {
				return nil, fmt.Errorf("%s is both a value and an array of tables", last)
			}
			// A table of the array is where its [[header]] names it.
			cur = &tnode{kind: tMap, at: lat}
			list.list = append(list.list, cur)
		}
	}
	if err := p.Error(); err != nil {
		return nil, err
	}
	return root, nil
}

// syntaxError is a rules file's parse error with the position the
// parser gave as line and column.
func syntaxError(name string, data []byte, err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %s", name, pe.at.line, pe.at.col, pe.msg)
	}
	var js *json.SyntaxError
	if errors.As(err, &js) {
		// Offset counts the bytes read, the bad one included.
		p := newLineIndex(data).pos(max(int(js.Offset)-1, 0))
		return fmt.Errorf("%s:%d:%d: %v", name, p.line, p.col, err)
	}
	var jt *json.UnmarshalTypeError
	if errors.As(err, &jt) {
		p := newLineIndex(data).pos(int(jt.Offset))
		return fmt.Errorf("%s:%d:%d: %v", name, p.line, p.col, err)
	}
	var td *toml.DecodeError
	if errors.As(err, &td) {
		line, col := td.Position()
		return fmt.Errorf("%s:%d:%d: %v", name, line, col, err)
	}
	// yaml says "yaml: line 3: ...": put the line where a compiler
	// would, so editors jump to it.
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], m[2])
	}
	return fmt.Errorf("%s: %v", name, err)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
