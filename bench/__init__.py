"""Streetwave's benchmark harness: every figure is a ratio to ceilings measured in the same run
on the same machine (see bench/README.md and DESIGN, "Performance")."""
