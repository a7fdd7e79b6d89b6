package server

import "sort"

// FileRoutes lists the routes registered with s.file, as "METHOD /pattern".
func (s *Server) FileRoutes() []string {
	var out []string
	for k := range s.fileRoutes {
		out = append(out, k.method+" "+k.path)
	}
	sort.Strings(out)
	return out
}
