package check

import (
	"strings"

	"github.com/locklint/locklint/parse"
)

// knownFields are the types of struct fields the rules lean on, for when
// the headers that declare them are not among the input files.
var knownFields = map[string]map[string]string{
	"vm_area_struct": {"vm_mm": "mm_struct", "anon_vma": "anon_vma", "vm_file": "file", "vm_next": "vm_area_struct", "vm_prev": "vm_area_struct"},
	"file":           {"f_mapping": "address_space"},
	"page":           {"mapping": "address_space"},
	"folio":          {"mapping": "address_space"},
	"task_struct":    {"mm": "mm_struct", "active_mm": "mm_struct"},
	"anon_vma":       {"root": "anon_vma"},
	"vm_fault":       {"vma": "vm_area_struct", "page": "page", "ptl": "spinlock_t"},
}

// fieldOwners are fields only one struct the rules lean on has: a
// variable whose declaration is not in view (a hunk of a patch) and that
// has one of them is taken to be that struct.
var fieldOwners = map[string]string{
	"vm_start": "vm_area_struct", "vm_end": "vm_area_struct", "vm_pgoff": "vm_area_struct", "vm_offset": "vm_area_struct",
	"vm_flags": "vm_area_struct", "vm_next": "vm_area_struct", "vm_prev": "vm_area_struct", "vm_mm": "vm_area_struct",
	"vm_ops": "vm_area_struct", "vm_file": "vm_area_struct", "vm_page_prot": "vm_area_struct", "anon_vma_chain": "vm_area_struct",
}

// globalTypes are well-known globals.
var globalTypes = map[string]string{"current": "task_struct", "init_mm": "mm_struct"}

// typer answers "what type is this expression" inside one function.
type typer struct {
	fn      *parse.Function
	structs map[string]map[string]parse.Var
}

// callType is the declared type of a local set to call's result
// (`struct ext4_sb_info *sbi = EXT4_SB(inode->i_sb);`), "" when none is.
func (t *typer) callType(call string) string {
	for _, b := range t.fn.Blocks {
		for i := range b.Events {
			e := &b.Events[i]
			if e.Kind == parse.EvAssign && e.Value.Norm == call {
				if v, ok := t.fn.VarType(e.Var); ok {
					return v.Type
				}
			}
		}
	}
	return ""
}

// typeOf returns the struct or type name of a normalized expression, ""
// when unknown. A field that no declaration covers is guessed to have the
// type of its own name (vma->anon_vma is an anon_vma), which is how kernel
// code names such fields.
func (t *typer) typeOf(expr string) string {
	expr = strings.TrimPrefix(expr, "*")
	i := 0
	for i < len(expr) && isIdentByte(expr[i]) {
		i++
	}
	if i == 0 {
		return ""
	}
	root := expr[:i]
	var ty string
	rest := expr[i:]
	if strings.HasPrefix(rest, "(") {
		// an accessor's object, `EXT4_SB(inode->i_sb)`: typed by the local
		// the function keeps it in
		j := strings.IndexByte(rest, ')')
		if j < 0 {
			return ""
		}
		ty, rest = t.callType(expr[:i+j+1]), rest[j+1:]
		if ty == "" {
			return ""
		}
	} else if v, ok := t.fn.VarType(root); ok {
		ty = v.Type
	} else if ty = globalTypes[root]; ty == "" {
		ty = ownerOf(expr[i:])
	}
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "->"):
			rest = rest[2:]
		case strings.HasPrefix(rest, "."):
			rest = rest[1:]
		case strings.HasPrefix(rest, "["):
			j := strings.IndexByte(rest, ']')
			if j < 0 {
				return ""
			}
			rest = rest[j+1:]
			continue
		default:
			return ""
		}
		j := 0
		for j < len(rest) && isIdentByte(rest[j]) {
			j++
		}
		field := rest[:j]
		rest = rest[j:]
		next := ""
		if f, ok := t.structs[ty][field]; ok {
			next = f.Type
		} else if f, ok := knownFields[ty][field]; ok {
			next = f
		} else {
			next = field
		}
		ty = next
	}
	return ty
}

// ownerOf is the struct the first field of a path ("->vm_end...") says its
// root is, or "".
func ownerOf(rest string) string {
	switch {
	case strings.HasPrefix(rest, "->"):
		rest = rest[2:]
	case strings.HasPrefix(rest, "."):
		rest = rest[1:]
	default:
		return ""
	}
	j := 0
	for j < len(rest) && isIdentByte(rest[j]) {
		j++
	}
	return fieldOwners[rest[:j]]
}
