package config

import (
	"reflect"
	"slices"
	"testing"
)

// Every variable of Config must be listed in envKeys, or Load would never
// read it from the environment.
func TestEnvKeysListEveryVariable(t *testing.T) {
	keys := envKeys()
	typ := reflect.TypeOf(Config{})
	for i := range typ.NumField() {
		tag := typ.Field(i).Tag.Get("env")
		if tag == "" || tag == "-" {
			continue
		}
		if !slices.Contains(keys, tag) {
			t.Errorf("%s (field %s) is not in envKeys", tag, typ.Field(i).Name)
		}
	}
}
