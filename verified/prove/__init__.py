"""Statements about all mechanisms on a finite set of profiles, decided exactly (issue 10)."""

from verified.prove.statement import Relation, Statement, Unknown, ex_post_stable, grown_profiles

__all__ = ["Relation", "Statement", "Unknown", "ex_post_stable", "grown_profiles"]
