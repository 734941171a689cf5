package api

import (
	_ "embed"
	"encoding/json"
)

// openapiTyped adds to the OpenAPI document what the typed fields, the
// schemas (Part 5) and the CRSs (Part 2) bring: its members are merged
// into the document, and operationParameters lists, by operation id, the
// parameters (under components) each operation takes besides its own.
//
//go:embed openapi_typed.json
var openapiTyped []byte

// addTypedOpenAPI merges openapiTyped into doc.
func addTypedOpenAPI(doc map[string]any) error {
	var add map[string]any
	if err := json.Unmarshal(openapiTyped, &add); err != nil {
		return err
	}
	ops, _ := add["operationParameters"].(map[string]any)
	delete(add, "operationParameters")
	mergeJSON(doc, add)
	paths, _ := doc["paths"].(map[string]any)
	for _, item := range paths {
		methods, _ := item.(map[string]any)
		for _, op := range methods {
			op, _ := op.(map[string]any)
			id, _ := op["operationId"].(string)
			names, _ := ops[id].([]any)
			for _, n := range names {
				params, _ := op["parameters"].([]any)
				op["parameters"] = append(params, map[string]any{"$ref": "#/components/parameters/" + n.(string)})
			}
		}
	}
	return nil
}

// mergeJSON merges the members of src into dst, object by object; other
// values of src replace those of dst.
func mergeJSON(dst, src map[string]any) {
	for k, v := range src {
		sub, isObject := v.(map[string]any)
		into, dstObject := dst[k].(map[string]any)
		if isObject && dstObject {
			mergeJSON(into, sub)
			continue
		}
		dst[k] = v
	}
}
