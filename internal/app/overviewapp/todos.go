package overviewapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/todos"
)

// homeTodos is how many to-dos the home page shows before linking to the
// whole list.
const homeTodos = 8

// todoEnv is the to-do list's environment at the request's time.
func (s *Handlers) todoEnv() todos.Env {
	return todos.Env{Now: s.Now(), Loc: s.Config.Location, ReviewPeriod: feedback.DefaultPeriod, SurveyAhead: 7}
}

// readTodos reads the signed-in person's to-dos.
func (s *Handlers) readTodos(c *gin.Context, q db.DBTX) ([]todos.Item, error) {
	return todos.For(c, q, httpx.CurrentUser(c), s.todoEnv())
}

// APITodos answers GET /api/v1/todos: {"items": [...]} for the signed-in
// user, overdue first.
func (s *Handlers) APITodos(c *gin.Context) {
	list, err := s.readTodos(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

type todosPageData struct {
	httpx.BasePage
	Todos []todos.Item
	// Overdue counts the overdue items.
	Overdue int
}

// TodosPage lists every to-do of the signed-in person.
func (s *Handlers) TodosPage(c *gin.Context) {
	list, err := s.readTodos(c, s.Pool)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := todosPageData{BasePage: s.Base(c, "待办事项", "overview"), Todos: list}
	for _, it := range list {
		if it.Overdue {
			d.Overdue++
		}
	}
	s.Render(c, http.StatusOK, "console/todos.html", d)
}
