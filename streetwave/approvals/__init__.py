"""The one two-person rule (DESIGN.md house rule 11, privacy rule 6): a row held until a second
person approves it, or withdrawn. `models.HeldForApproval` is the state, `services.decide_held`
the only way out of it, `errors` what it refuses. Below the domains, above core and audit: it
writes the audit row of each decision. See docs/decisions/0003-one-two-person-rule.md."""
