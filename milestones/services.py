"""Writes on phases, milestones, deliverables, acceptance criteria and sign-offs."""
