package safetext

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Find walks a decoded JSON value — structs by their json field names,
// maps, slices, arrays, pointers and interfaces — and returns the path of
// the first string (value or map key) that is not Valid, such as
// "items.2.comment", and true; or "", false when every string is valid.
// Map keys are visited in sorted order, so the answer is stable.
func Find(v any) (string, bool) {
	return find(reflect.ValueOf(v), "")
}

func find(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		if !Valid(v.String()) {
			return path, true
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return find(v.Elem(), path)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !(f.Anonymous && f.Type.Kind() == reflect.Struct) {
				continue // JSON still fills an unexported embedded struct's fields
			}
			name := f.Name
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
				continue
			} else if tag != "" {
				name = tag
			}
			sub := name
			if f.Anonymous && f.Tag.Get("json") == "" {
				sub = "" // embedded fields are flattened in JSON
			}
			if p, bad := find(v.Field(i), join(path, sub)); bad {
				return p, true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false // []byte is base64 in JSON, not text
		}
		for i := range v.Len() {
			if p, bad := find(v.Index(i), join(path, strconv.Itoa(i))); bad {
				return p, true
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keyString(keys[i]) < keyString(keys[j]) })
		for _, k := range keys {
			ks := keyString(k)
			if k.Kind() == reflect.String && !Valid(ks) {
				return path, true
			}
			if p, bad := find(v.MapIndex(k), join(path, ks)); bad {
				return p, true
			}
		}
	}
	return "", false
}

func keyString(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	return fmt.Sprint(k.Interface())
}

func join(path, name string) string {
	switch {
	case name == "":
		return path
	case path == "":
		return name
	}
	return path + "." + name
}
