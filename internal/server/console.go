package server

// flashes are the messages a httpx.Redirect may ask for with ?msg=; only these
// fixed texts can appear, so a link cannot put words on the page.
var flashes = map[string]string{}

// mergeFlashes joins the flash messages of the console and of each
// handler package into one table; a key defined twice is a programming
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
