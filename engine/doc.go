// Package engine holds the population model of SMETS1 installations and the
// decision rules that resolve it (docs/RULES.md): duplicate GUIDs,
// duplicate MPxN groups and the per-installation steps that follow them,
// under the consultation's clauses in force.
//
// Files: population.go is the model (installations, devices); words.go the
// listed words of FORMATS.md (cohorts, device types, states, statuses);
// outcome.go every decision, reason and step, declared once with its clause,
// report category and explanation; clauses.go the consultation's clauses
// that can be in force or not, declared once with their words; decide.go
// every step, 1 to 7, under the clauses in force: RuleSet.Decide over an
// installation's Facts, the one place an installation is decided;
// resolve.go the Resolver, which finds the facts across a population
// (duplicate GUIDs, step 2's group facts, registration) and calls Decide;
// rules.go the rule set and step 5's thresholds; rulesfile.go the rules
// file; registry.go the registration data; radix.go the sort of (key,
// installation) pairs.
package engine
