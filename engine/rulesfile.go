package engine

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ParseRules reads a rules file: one line per cohort that has thresholds,
// and, when some of the consultation's clauses are not in force, a line
// naming them (RULES.md, "Clauses in force"),
//
//	MOC_MDS firmware=15 configuration=10 groups=CB
//	IOC     firmware=108 configuration=30 groups=AA,BA,CA
//	not_in_force 18.13 4.26A
//
// Blank lines and lines starting with # are ignored, and so is a UTF-8 byte
// order mark. A cohort not listed has no thresholds, but a file with no
// cohort line at all is refused: it would silently turn step 5 off (an
// empty file, the wrong file); to mean that, write the line "none".
// Without a not_in_force line all nine clauses are in force; a clause is
// named as RULES.md spells it, in any case, and an unknown clause, one
// named twice, or one that cannot be switched (4.26, 5.8B) is an error.
// name is used in error messages, which give the line and the word.
func ParseRules(r io.Reader, name string) (RuleSet, error) {
	rs := RuleSet{Thresholds: map[Cohort]Thresholds{}}
	sc := bufio.NewScanner(r)
	line := 0
	none := false
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimSpace(strings.TrimPrefix(text, "\ufeff"))
		}
		if strings.EqualFold(text, "none") {
			if len(rs.Thresholds) > 0 {
				return RuleSet{}, fmt.Errorf("%s: line %d: \"none\" beside cohort lines", name, line)
			}
			none = true
			continue
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fail := func(format string, args ...any) (RuleSet, error) {
			return RuleSet{}, fmt.Errorf("%s: line %d: %s", name, line, fmt.Sprintf(format, args...))
		}
		words := strings.Fields(text)
		if strings.EqualFold(words[0], notInForceWord) {
			if len(words) == 1 {
				return fail("%s names no clause: list the clauses not in force (%s)", notInForceWord, AllClauses)
			}
			for _, w := range words[1:] {
				c, err := ParseClause(w)
				if err != nil {
					return fail("%s %s: %v", notInForceWord, w, err)
				}
				if rs.NotInForce.Has(c) {
					return fail("%s %s: clause %s is listed twice", notInForceWord, w, c)
				}
				rs.NotInForce = rs.NotInForce.With(c)
			}
			continue
		}
		if none {
			return fail("a cohort line beside \"none\"")
		}
		c := cohortByName(words[0])
		if c == 0 {
			return fail("unknown cohort %q", words[0])
		}
		if _, dup := rs.Thresholds[c]; dup {
			return fail("cohort %s listed twice", c)
		}
		var th Thresholds
		seen := map[string]bool{}
		for _, w := range words[1:] {
			key, val, ok := strings.Cut(w, "=")
			if !ok || seen[key] {
				return fail("%q: want firmware=N, configuration=N or groups=AA,BB, each once", w)
			}
			seen[key] = true
			switch key {
			case "firmware", "configuration":
				n, err := strconv.ParseUint(val, 10, 32)
				if err != nil {
					return fail("%s: %q is not a whole number", key, val)
				}
				if key == "firmware" {
					th.Firmware = uint32(n)
				} else {
					th.Configuration = uint32(n)
				}
			case "groups":
				for _, g := range strings.Split(val, ",") {
					if len(g) != 2 || !isUpperLetter(g[0]) || !isUpperLetter(g[1]) {
						return fail("groups: %q is not two capital letters", g)
					}
					th.Groups = append(th.Groups, g)
				}
			default:
				return fail("unknown setting %q", key)
			}
		}
		if !seen["firmware"] || !seen["configuration"] || !seen["groups"] {
			return fail("cohort %s needs firmware=, configuration= and groups=", c)
		}
		rs.Thresholds[c] = th
	}
	if err := sc.Err(); err != nil {
		return RuleSet{}, fmt.Errorf("%s: %w", name, err)
	}
	if len(rs.Thresholds) == 0 && !none {
		return RuleSet{}, fmt.Errorf("%s: no cohort line: every cohort would have no step 5 thresholds; list the cohorts (s1resolve rules prints the defaults to start from), or write \"none\" to mean it", name)
	}
	return rs, nil
}

func isUpperLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func cohortByName(s string) Cohort {
	c, _ := ParseCohort([]byte(s))
	return c
}

// notInForceWord starts the line naming the clauses not in force.
const notInForceWord = "not_in_force"

// Format writes the rule set in the rules-file form, cohorts in FORMATS.md
// order, then the clauses in force as a comment and, when some are not,
// the not_in_force line.
func (rs RuleSet) Format(w io.Writer) error {
	var cohorts []Cohort
	for c := range rs.Thresholds {
		cohorts = append(cohorts, c)
	}
	slices.Sort(cohorts)
	b := []byte("# s1resolve rules: RULES.md step 5 thresholds per cohort; cohorts not listed have none.\n")
	if len(cohorts) == 0 {
		b = append(b, "none\n"...)
	}
	for _, c := range cohorts {
		th := rs.Thresholds[c]
		b = fmt.Appendf(b, "%-10s firmware=%d configuration=%d groups=%s\n", c, th.Firmware, th.Configuration, strings.Join(th.Groups, ","))
	}
	b = fmt.Appendf(b, "# clauses in force (RULES.md, Clauses in force): %s\n", rs.InForce())
	if rs.NotInForce != 0 {
		b = fmt.Appendf(b, "%s %s\n", notInForceWord, rs.NotInForce)
	}
	_, err := w.Write(b)
	return err
}
