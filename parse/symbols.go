//go:build cgo

package parse

import sitter "github.com/smacker/go-tree-sitter"

// kind is our name for the grammar symbols the IR builder looks at; every
// other symbol is kOther.
type kind uint8

const (
	kOther kind = iota
	kError
	kComment
	kTranslationUnit
	kFunctionDefinition
	kDeclaration
	kParameterList
	kParameterDeclaration
	kFunctionDeclarator
	kPointerDeclarator
	kArrayDeclarator
	kParenthesizedDeclarator
	kInitDeclarator
	kStructSpecifier
	kUnionSpecifier
	kEnumSpecifier
	kTypeIdentifier
	kPrimitiveType
	kSizedTypeSpecifier
	kTypeQualifier
	kStorageClassSpecifier
	kCompoundStatement
	kExpressionStatement
	kIfStatement
	kElseClause
	kWhileStatement
	kDoStatement
	kForStatement
	kSwitchStatement
	kCaseStatement
	kBreakStatement
	kContinueStatement
	kReturnStatement
	kGotoStatement
	kLabeledStatement
	kStatementIdentifier
	kAttributedStatement
	kCallExpression
	kArgumentList
	kAssignmentExpression
	kUpdateExpression
	kBinaryExpression
	kUnaryExpression
	kPointerExpression
	kFieldExpression
	kSubscriptExpression
	kCastExpression
	kConditionalExpression
	kCommaExpression
	kParenthesizedExpression
	kSizeofExpression
	kAlignofExpression
	kOffsetofExpression
	kCompoundLiteralExpression
	kInitializerList
	kGnuAsmExpression
	kIdentifier
	kFieldIdentifier
	kNumberLiteral
	kStringLiteral
	kConcatenatedString
	kCharLiteral
	kTrue
	kFalse
	kNull
	kTypeDescriptor
	kMacroTypeSpecifier
	kPreprocIf
	kPreprocIfdef
	kPreprocElse
	kPreprocElif
	kPreprocCall
	kPreprocDef
	kPreprocFunctionDef
	kPreprocInclude
	kDeclarationList
	kTypeDefinition
	kGenericExpression
	kAttributeSpecifier
	kAttributeDeclaration
	kFieldDeclaration
)

var kindNames = map[string]kind{
	"ERROR":                       kError,
	"comment":                     kComment,
	"translation_unit":            kTranslationUnit,
	"function_definition":         kFunctionDefinition,
	"declaration":                 kDeclaration,
	"parameter_list":              kParameterList,
	"parameter_declaration":       kParameterDeclaration,
	"function_declarator":         kFunctionDeclarator,
	"pointer_declarator":          kPointerDeclarator,
	"array_declarator":            kArrayDeclarator,
	"parenthesized_declarator":    kParenthesizedDeclarator,
	"init_declarator":             kInitDeclarator,
	"struct_specifier":            kStructSpecifier,
	"union_specifier":             kUnionSpecifier,
	"enum_specifier":              kEnumSpecifier,
	"type_identifier":             kTypeIdentifier,
	"primitive_type":              kPrimitiveType,
	"sized_type_specifier":        kSizedTypeSpecifier,
	"type_qualifier":              kTypeQualifier,
	"storage_class_specifier":     kStorageClassSpecifier,
	"compound_statement":          kCompoundStatement,
	"expression_statement":        kExpressionStatement,
	"if_statement":                kIfStatement,
	"else_clause":                 kElseClause,
	"while_statement":             kWhileStatement,
	"do_statement":                kDoStatement,
	"for_statement":               kForStatement,
	"switch_statement":            kSwitchStatement,
	"case_statement":              kCaseStatement,
	"break_statement":             kBreakStatement,
	"continue_statement":          kContinueStatement,
	"return_statement":            kReturnStatement,
	"goto_statement":              kGotoStatement,
	"labeled_statement":           kLabeledStatement,
	"statement_identifier":        kStatementIdentifier,
	"attributed_statement":        kAttributedStatement,
	"call_expression":             kCallExpression,
	"argument_list":               kArgumentList,
	"assignment_expression":       kAssignmentExpression,
	"update_expression":           kUpdateExpression,
	"binary_expression":           kBinaryExpression,
	"unary_expression":            kUnaryExpression,
	"pointer_expression":          kPointerExpression,
	"field_expression":            kFieldExpression,
	"subscript_expression":        kSubscriptExpression,
	"cast_expression":             kCastExpression,
	"conditional_expression":      kConditionalExpression,
	"comma_expression":            kCommaExpression,
	"parenthesized_expression":    kParenthesizedExpression,
	"sizeof_expression":           kSizeofExpression,
	"alignof_expression":          kAlignofExpression,
	"offsetof_expression":         kOffsetofExpression,
	"compound_literal_expression": kCompoundLiteralExpression,
	"initializer_list":            kInitializerList,
	"gnu_asm_expression":          kGnuAsmExpression,
	"identifier":                  kIdentifier,
	"field_identifier":            kFieldIdentifier,
	"number_literal":              kNumberLiteral,
	"string_literal":              kStringLiteral,
	"concatenated_string":         kConcatenatedString,
	"char_literal":                kCharLiteral,
	"true":                        kTrue,
	"false":                       kFalse,
	"null":                        kNull,
	"type_descriptor":             kTypeDescriptor,
	"macro_type_specifier":        kMacroTypeSpecifier,
	"preproc_if":                  kPreprocIf,
	"preproc_ifdef":               kPreprocIfdef,
	"preproc_else":                kPreprocElse,
	"preproc_elif":                kPreprocElif,
	"preproc_call":                kPreprocCall,
	"preproc_def":                 kPreprocDef,
	"preproc_function_def":        kPreprocFunctionDef,
	"preproc_include":             kPreprocInclude,
	"declaration_list":            kDeclarationList,
	"type_definition":             kTypeDefinition,
	"generic_expression":          kGenericExpression,
	"attribute_specifier":         kAttributeSpecifier,
	"attribute_declaration":       kAttributeDeclaration,
	"field_declaration":           kFieldDeclaration,
}

// Field names used by the builder, resolved to ids at start-up.
var (
	fBody, fDeclarator, fType, fParameters, fCondition, fConsequence,
	fAlternative, fFunction, fArguments, fLeft, fRight, fOperator,
	fArgument, fField, fValue, fInitializer, fUpdate, fLabel,
	fOperand, fIndex, fieldName uint16
)

// symKind is indexed by any 16-bit symbol, including tree-sitter's error
// symbol 65535.
var (
	symKind  [1 << 16]kind
	symNames [1 << 16]string
	symNamed [1 << 16]bool
)

func initSymbols(l *sitter.Language) {
	n := int(l.SymbolCount())
	for s := 0; s < n; s++ {
		name := l.SymbolName(sitter.Symbol(s))
		symNames[s] = name
		// Anonymous tokens share names with named rules ("true", "null");
		// only named symbols map to kinds.
		if l.SymbolType(sitter.Symbol(s)) == sitter.SymbolTypeRegular {
			symKind[s] = kindNames[name]
			symNamed[s] = true
		}
	}
	symKind[1<<16-1] = kError
	symNames[1<<16-1] = "ERROR"
	symNamed[1<<16-1] = true
	fields := map[string]*uint16{
		"body": &fBody, "declarator": &fDeclarator, "type": &fType,
		"parameters": &fParameters, "condition": &fCondition,
		"consequence": &fConsequence, "alternative": &fAlternative,
		"function": &fFunction, "arguments": &fArguments, "left": &fLeft,
		"right": &fRight, "operator": &fOperator, "argument": &fArgument,
		"field": &fField, "value": &fValue, "initializer": &fInitializer,
		"update": &fUpdate, "label": &fLabel, "operand": &fOperand,
		"index": &fIndex, "name": &fieldName,
	}
	for i := 1; ; i++ {
		name := l.FieldName(i)
		if name == "" {
			break
		}
		if p, ok := fields[name]; ok {
			*p = uint16(i)
		}
	}
}
