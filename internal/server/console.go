package server

func (s *Server) consoleRoutes() {}
