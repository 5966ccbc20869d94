// Package engine holds the population model of SMETS1 installations and the
// decision rules that resolve it (shared/spec/RULES.md): duplicate GUIDs,
// duplicate MPxN groups and the per-installation steps that follow them.
//
// Files: population.go is the model (installations, devices); words.go the
// listed words of FORMAT.md (cohorts, device types, states, statuses);
// outcome.go every decision, reason and step, declared once with its clause,
// report category and explanation; resolve.go steps 1, 2 and 6 and the
// facts each decision rests on; rules.go steps 3 to 5; rulesfile.go the
// step 5 thresholds file; registry.go the registration data; radix.go the
// sort of (key, installation) pairs.
package engine
