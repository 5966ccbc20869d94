package serve

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/report"
)

// The page is three files of this package, served as they are: no asset
// comes from anywhere else, so it works on a network without the internet.
// It is a single page driven by the URL's fragment (#/explain/KEY,
// #/supplier/ID, #/suppliers); it reads the API with the token the user
// gives once, kept in the tab's sessionStorage only.
//
//go:embed page/index.html page/app.js page/app.css
var pageFiles embed.FS

// outcomeWords are the words and colours of every decision and reason of
// the outcome table (engine/outcome.go), for the page: a new reason or
// decision appears without an edit here.
type outcomeWords struct {
	Decisions []decisionWords `json:"decisions"`
	Reasons   []reasonWords   `json:"reasons"`
}

type decisionWords struct {
	Name   string `json:"name"`
	Title  string `json:"title"`
	Colour string `json:"colour"`
	Rank   int    `json:"rank"`
}

type reasonWords struct {
	Name     string `json:"name"`
	Category string `json:"category"`
	Why      string `json:"why"`
}

func outcomes() outcomeWords {
	var o outcomeWords
	for _, d := range engine.Decisions() {
		// Each decision in the colour the reports draw it in.
		c := report.DecisionSeries(d).Colour
		o.Decisions = append(o.Decisions, decisionWords{d.String(), d.Title(), c, d.Rank()})
	}
	for _, r := range engine.Reasons() {
		o.Reasons = append(o.Reasons, reasonWords{r.String(), r.Category(), r.Why()})
	}
	return o
}

// page registers the page's files on mux and returns their paths, which
// need no token (they hold no data).
func (s *Server) page(mux *http.ServeMux) map[string]bool {
	words, _ := json.Marshal(outcomes())
	tmpl := template.Must(template.ParseFS(pageFiles, "page/index.html"))
	var index bytes.Buffer
	if err := tmpl.Execute(&index, map[string]any{"Outcomes": string(words), "Tokens": s.tokens != nil}); err != nil {
		panic(err)
	}
	js, _ := pageFiles.ReadFile("page/app.js")
	css, _ := pageFiles.ReadFile("page/app.css")
	files := map[string]struct {
		body  []byte
		ctype string
	}{
		"/":        {index.Bytes(), "text/html; charset=utf-8"},
		"/app.js":  {js, "text/javascript; charset=utf-8"},
		"/app.css": {css, "text/css; charset=utf-8"},
	}
	public := map[string]bool{}
	for path, f := range files {
		public[path] = true
		pattern := path
		if path == "/" {
			pattern = "/{$}"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", f.ctype)
			w.Write(f.body)
		})
	}
	return public
}
