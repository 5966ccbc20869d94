package main

import (
	"context"

	"github.com/s1resolve/s1resolve/explain"
)

var explainCommand = &command{
	name: "explain", args: "KEY", min: 1, max: 1,
	summary: "explain the decision of an installation, MPAN, MPRN, GUID or SMETS2+ installation",
	about: `Prints the installations KEY finds in a store, their duplicate group and the rule that
decided each, with its evidence. KEY is one of:
  an MPAN          the 13-digit core or the full 21 characters (1200023305967, E1200023305967)
  an MPRN          6 to 10 digits (3365498706, G3365498706)
  a device GUID    16 hex digits, with or without - or : between pairs (00-0D-6F-00-00-AB-12-34)
  smso/installation_id   an installation, as the decisions name it (SMSO_A/INS-12)
  installation_id  alone: names the smso/installation_id keys that hold it, to give again
  inventory_id     a SMETS2+ installation of the inventory`,
	setup: func(f *flags) action {
		var db string
		var limit int
		f.DB(&db, "the store DIR written by s1resolve run --db").Required()
		f.Int(&limit, "limit", "N", 20, "list at most N members of a group in full (a larger group is summarised first); 0: all", 0, 1<<30)
		return func(ctx context.Context, e *env) error {
			st, err := readStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			return explain.Explain(e.stdout, st, e.args[0], limit)
		}
	},
}
