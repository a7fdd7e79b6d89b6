package server

// mergeFlashes joins the flash messages of every handler package into the
// one table a redirect's ?msg= may name (only these fixed texts can appear,
// so a link cannot put words on a page); a key defined twice is a programming
// error caught at start-up.
func mergeFlashes(tables ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, t := range tables {
		for k, v := range t {
			if _, dup := out[k]; dup {
				panic("flash message " + k + " is defined twice")
			}
			out[k] = v
		}
	}
	return out
}
